"""The atlas's long form (one row per run and metric, each traceable to its JSON file) and
the headline metrics' summary over seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.tables import load_run_metrics

#: What names one run: its group (one model/regime on one dataset) and its seed.
RUN_COLUMNS = ["dataset", "model", "regime", "group", "seed"]
#: atlas.csv's columns: ``metric`` is the key as its analysis wrote it, ``source`` the
#: JSON file the value was read from.
COLUMNS = [*RUN_COLUMNS, "papers", "analysis", "metric", "value", "source"]
#: One summary cell: a group's metric over its seeds.
CELL_COLUMNS = ["dataset", "model", "regime", "group", "analysis", "metric"]
SUMMARY_COLUMNS = [*CELL_COLUMNS, "n", "mean", "std", "ci_low", "ci_high", "values"]


def join_papers(papers: list[str] | str) -> str:
    return papers if isinstance(papers, str) else "; ".join(papers)


def check_unique_entries(manifest: list[dict[str, Any]]) -> None:
    """A run's analysis listed twice would count its values twice in every mean."""
    seen: set[tuple] = set()
    for entry in manifest:
        name = (entry["group"], entry["seed"], entry["analysis"])
        if name in seen:
            raise ValueError(f"atlas manifest lists {name} (group, seed, analysis) twice")
        seen.add(name)


def long_form(manifest: list[dict[str, Any]]) -> pd.DataFrame:
    """Every key of every analysis of every run, one row each (COLUMNS), in manifest order.

    Non-finite values (NaN, inf, null) stay as rows with value NaN: empty in the CSV, left
    out of the means, counted in the markdown's header.
    """
    check_unique_entries(manifest)
    keys = [*RUN_COLUMNS, "papers", "analysis", "path"]
    loaded = load_run_metrics(manifest, keys=keys)
    frame = loaded.drop(columns=["split", "metric"])
    frame = frame.rename(columns={"key": "metric", "path": "source"})
    frame["papers"] = frame["papers"].map(join_papers)
    value = frame["value"].astype(float)
    frame["value"] = value.where(np.isfinite(value))
    return frame[COLUMNS].reset_index(drop=True)


def metric_rows(frame: pd.DataFrame, analysis: str, key: str) -> pd.DataFrame:
    """The rows of one metric (``key`` of ``analysis``) that hold a finite value."""
    chosen = (frame["analysis"] == analysis) & (frame["metric"] == key)
    return frame[chosen & frame["value"].notna()]


def headline_summary(frame: pd.DataFrame, metrics: list[dict[str, str]]) -> pd.DataFrame:
    """Per group and headline metric (``{"analysis", "key"}`` items): n finite seeds, mean,
    std and 95% t interval (SUMMARY_COLUMNS); a metric no run measured has no rows."""
    parts = [metric_rows(frame, m["analysis"], m["key"]) for m in metrics]
    chosen = pd.concat(parts) if parts else frame.iloc[:0]
    if chosen.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return summarise(chosen, CELL_COLUMNS)[SUMMARY_COLUMNS]


def measured_metrics(summary: pd.DataFrame, metrics: list[dict[str, str]]) -> list[dict[str, str]]:
    """Those of ``metrics`` that ``summary`` (summary rows) has a row of, in their order."""
    measured = set(zip(summary["analysis"], summary["metric"], strict=True))
    return [m for m in metrics if (m["analysis"], m["key"]) in measured]


def ordered_rows(part: pd.DataFrame, reference: dict[str, str]) -> list[tuple[str, str, str]]:
    """The (model, regime, group) rows of one dataset's ``part``: by model, its reference
    regime (``reference``: model -> regime) first, then the others by name."""
    rows = part[["model", "regime", "group"]].drop_duplicates()
    return sorted(
        rows.itertuples(index=False, name=None),
        key=lambda row: (row[0], row[1] != reference.get(row[0]), row[1], row[2]),
    )


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits (``2300``, not ``2.3e+03``, below a
    million); "–" for a missing one."""
    if value is None or not np.isfinite(value):
        return "–"
    rounded = float(f"{value:.{digits}g}")
    return f"{rounded:.0f}" if 10**digits <= abs(rounded) < 1e6 else f"{rounded:.{digits}g}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 run``, ``2 runs`` (``plural``: where it is not the noun and an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def metric_label(metric: dict[str, Any]) -> str:
    """A metric's (or question axis's) label: its ``label``, else ``analysis: key``."""
    return metric.get("label") or f"{metric['analysis']}: {metric['key']}"
