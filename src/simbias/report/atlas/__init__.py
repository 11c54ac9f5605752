"""The simplicity-bias atlas: every analysis result of every run it applies to, across
papers, in one report that states no claims, only measurements with their n and intervals.

- ``table``: the long form (one row per run and metric key, with its source file) and the
  headline metrics' summary over seeds;
- ``comparison``: each regime against its dataset/model's reference regime (within noise?);
- ``correlation`` and ``questions``: cross-paper questions, Spearman's rho over runs with a
  bootstrap interval over groups; ``families``: the regime families the scatters colour by;
- ``markdown``, ``heatmap``, ``scatter``: atlas.md and the two figures.

This module imports no matplotlib until :func:`write_atlas` draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simbias.io import write_text_atomic


def write_atlas(
    spec: dict[str, Any],
    csv: str | Path,
    markdown: str | Path,
    heatmap_png: str | Path,
    heatmap_pdf: str | Path,
    questions_png: str | Path,
    questions_pdf: str | Path,
) -> pd.DataFrame:
    """Read every result the spec's ``manifest`` lists and write the atlas's long-form CSV,
    its markdown page and its two figures (PNG and PDF each), each file atomically; the
    long form. ``spec["atlas"]`` names the headline ``metrics``, the ``questions`` and the
    ``reference_regimes`` (first present wins)."""
    from simbias.report.atlas.comparison import compare_to_reference, reference_regimes
    from simbias.report.atlas.heatmap import heatmap_figure
    from simbias.report.atlas.markdown import atlas_markdown
    from simbias.report.atlas.questions import answer_questions
    from simbias.report.atlas.scatter import questions_figure
    from simbias.report.atlas.table import headline_summary, long_form
    from simbias.report.figures._common import save_figure

    atlas = spec["atlas"]
    metrics = atlas.get("metrics", [])
    references = atlas.get("reference_regimes", [])
    frame = long_form(spec["manifest"])
    write_text_atomic(csv, frame.to_csv(index=False))
    summary = headline_summary(frame, metrics)
    chosen_references = reference_regimes(frame, references)
    comparisons = compare_to_reference(frame, metrics, references)
    answers = answer_questions(frame, atlas.get("questions", []))
    page = atlas_markdown(
        frame, summary, comparisons, answers, metrics, references, chosen_references
    )
    write_text_atomic(markdown, page)
    save_figure(
        heatmap_figure(summary, comparisons, metrics, chosen_references), heatmap_png, heatmap_pdf
    )
    save_figure(questions_figure(answers), questions_png, questions_pdf)
    return frame
