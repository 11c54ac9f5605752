"""The per-run analyses, one catalogue: every module of ``simbias.analysis.analyses``
registers one analysis with its settings dataclass (or None), its caption, its table
``title`` and what a run ``needs`` for it to apply (from ``NEEDS``).

Every analysis is called the same way, ``fn(run: RunInputs, settings) -> dict[str, float]``
(flat ``{"{split}_{metric}": value}`` that the tables summarise over seeds). This module
imports no torch: the analyses import their measurement code when they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simbias.components import Catalogue
from simbias.params import Params
from simbias.plan.layout import seed_key
from simbias.plan.needs import FACTS

ANALYSES = Catalogue("analysis", "simbias.analysis.analyses")

#: What a run may have that an analysis needs: one vocabulary, the plan's (it decides
#: which runs an analysis applies to).
NEEDS = tuple(FACTS)


@dataclass(frozen=True)
class RunInputs:
    """One finished run, as an analysis sees it."""

    run_dir: Path
    data_dir: Path
    device: str = "cpu"
    #: The run's seed (draws an analysis makes of its own, e.g. aspect_ratio's matrices).
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("run_dir", "data_dir"):
            object.__setattr__(self, name, Path(getattr(self, name)))


def analysis_settings(name: str, settings: dict[str, Any] | None) -> Params | None:
    """The checked settings of analysis ``name`` (its ``analysis_settings/{name}``):
    a Params instance, or None for an analysis without params (which refuses any)."""
    entry = ANALYSES.get(name)
    where = f"analysis_settings/{name}"
    if entry.params is None:
        if settings:
            raise ValueError(f"{where}: the {name} analysis takes no settings, got {settings!r}")
        return None
    return entry.params.from_dict(settings, where)


def run_group_analysis(
    name: str,
    run_dirs: dict[int, str | Path],
    data_dir: str | Path,
    device: str,
    settings: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """``name`` on every seed's run of one group, in one process: ``{"seed{s}": result}``."""
    analyse = ANALYSES.get(name).obj
    checked = analysis_settings(name, settings)
    return {
        seed_key(seed): analyse(RunInputs(run_dir, data_dir, device, seed), checked)
        for seed, run_dir in sorted(run_dirs.items())
    }
