"""The figures, one module each: what a figure is drawn from (its ``source``), its caption
and how it is drawn, written once in that module.

A figure module registers its drawing function with
``@FIGURES.register(name, source=..., caption=...)``. ``source`` says which files its
manifest lists: ``"history"`` (history.csv), ``"final"`` (final.json) or
``"analysis:<name>"`` (that analysis's per-group JSON files, summarised over seeds).
This module imports no matplotlib, so listing the figures stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simbias.components import Catalogue

FIGURES = Catalogue("figure", "simbias.report.figures")

#: The sources a figure may be drawn from ("analysis:" is followed by the analysis's name).
SOURCES = ("history", "final")
ANALYSIS_PREFIX = "analysis:"


def source_analysis(source: str) -> str | None:
    """The analysis a figure's source names, or None for histories and finals."""
    if source.startswith(ANALYSIS_PREFIX):
        return source.removeprefix(ANALYSIS_PREFIX)
    if source not in SOURCES:
        raise ValueError(f"unknown figure source {source!r}")
    return None


def load_source(source: str, manifest: list[dict[str, Any]]):
    """The data a figure of ``source`` is drawn from: the summary over seeds of an
    analysis's metrics, the stacked histories, or one row per run's final.json."""
    # Local import: tables sits beside figures in the report layer.
    from simbias.report.tables import (
        load_finals,
        load_histories,
        load_run_metrics,
        summarise_metrics,
    )

    if source_analysis(source) is not None:
        return summarise_metrics(load_run_metrics(manifest))
    if source == "history":
        return load_histories(manifest)
    return load_finals(manifest)


def write_figure(
    name: str, manifest: list[dict[str, Any]], png_path: str | Path, pdf_path: str | Path
) -> None:
    """Build figure ``name`` from its inputs and save it as PNG and PDF."""
    from simbias.report.figures._common import save_figure

    entry = FIGURES.get(name)
    save_figure(entry.obj(load_source(entry.meta["source"], manifest)), png_path, pdf_path)
