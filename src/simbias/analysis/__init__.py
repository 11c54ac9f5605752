"""Per-run analyses (the ``ANALYSES`` catalogue) and their aggregation over seeds.

Importing this package stays light (no torch): an analysis imports its measurement code
when it runs.
"""

from simbias.analysis.catalogue import (
    ANALYSES,
    NEEDS,
    RunInputs,
    analysis_settings,
    run_group_analysis,
)

__all__ = ["ANALYSES", "NEEDS", "RunInputs", "analysis_settings", "run_group_analysis"]
