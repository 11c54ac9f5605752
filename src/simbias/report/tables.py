"""Tables over seeds: long-form CSV for machines, markdown for readers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simbias.analysis import ANALYSES
from simbias.analysis.aggregate import summarise
from simbias.io import write_text_atomic
from simbias.plan.layout import seed_key

RUN_KEYS = ["experiment", "dataset", "model", "regime", "seed"]
#: ``key`` is the metric's full name as its analysis wrote it; ``split`` and ``metric`` are
#: that key cut at its last underscore, for the markdown tables' layout.
GROUP_KEYS = ["experiment", "dataset", "model", "regime", "split", "metric", "key"]
SPLIT_LABELS = {"test": "test", "s_rand": "S-rand", "sc_rand": "S^c-rand"}


def metric_value(value: Any) -> float:
    """A metric as a float; ``null`` (an analysis that could not measure it) is NaN."""
    return float("nan") if value is None else float(value)


def load_run_metrics(
    manifest: list[dict[str, Any]], keys: Sequence[str] = RUN_KEYS
) -> pd.DataFrame:
    """Long form (one row per run x split x metric) from per-run metric JSON files.

    ``manifest`` items carry ``keys`` (the run's fields every row repeats, RUN_KEYS by
    default) and ``path`` of a group's JSON, which maps ``seed{s}`` to that seed's values
    by metric key (``{split}_{metric}``).
    """
    rows = []
    files: dict[str, dict] = {}
    for entry in manifest:
        if entry["path"] not in files:
            files[entry["path"]] = json.loads(Path(entry["path"]).read_text())
        metrics = files[entry["path"]][seed_key(entry["seed"])]
        for key, value in metrics.items():
            split, _, metric = key.rpartition("_")
            rows.append(
                {
                    **{k: entry[k] for k in keys},
                    "split": split,
                    "metric": metric,
                    "value": metric_value(value),
                    "key": key,
                }
            )
    return pd.DataFrame(rows, columns=[*keys, "split", "metric", "value", "key"])


def summarise_metrics(long_form: pd.DataFrame) -> pd.DataFrame:
    return summarise(long_form, GROUP_KEYS)


def format_cell(row: pd.Series) -> str:
    return f"{row['mean']:.3f} ± {row['std']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"


def markdown_table(summary: pd.DataFrame, metric: str) -> str:
    """One row per experiment x regime, one column per split: mean ± std [95% CI]."""
    chosen = summary[summary["metric"] == metric].copy()
    chosen["cell"] = chosen.apply(format_cell, axis=1)
    chosen["split"] = chosen["split"].map(SPLIT_LABELS).fillna(chosen["split"])
    n_seeds = chosen.groupby(["experiment", "regime"])["n"].max().rename("seeds")
    table = chosen.pivot_table(
        index=["experiment", "dataset", "model", "regime"],
        columns="split",
        values="cell",
        aggfunc="first",
    )
    ordered = [label for label in SPLIT_LABELS.values() if label in table.columns]
    table = table[ordered + sorted(set(table.columns) - set(ordered))]
    table = table.join(n_seeds, on=["experiment", "regime"]).reset_index()
    return table.to_markdown(index=False)


def write_markdown_report(summary: pd.DataFrame, title: str) -> str:
    parts = [f"# {title}", "", "Mean ± std over seeds [95% t interval of the mean].", ""]
    for metric in sorted(summary["metric"].unique()):
        parts += [f"## {metric}", "", markdown_table(summary, metric), ""]
    return "\n".join(parts)


def write_analysis_tables(
    analysis: str,
    manifest: list[dict[str, Any]],
    runs_csv: str | Path,
    summary_csv: str | Path,
    markdown: str | Path,
) -> pd.DataFrame:
    """Per-run metrics of ``analysis``, their summary over seeds, and the markdown view."""
    long_form = load_run_metrics(manifest)
    summary = summarise_metrics(long_form)
    write_text_atomic(runs_csv, long_form.to_csv(index=False))
    write_text_atomic(summary_csv, summary.to_csv(index=False))
    title = ANALYSES.get(analysis).meta["title"]
    write_text_atomic(markdown, write_markdown_report(summary, title))
    return summary


def load_finals(manifest: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per run: its keys, final test accuracy (NaN for a regression run, which has
    none) and the parsed final.json."""
    rows = []
    for entry in manifest:
        final = json.loads(Path(entry["path"]).read_text())
        rows.append(
            {
                **{k: entry[k] for k in RUN_KEYS},
                "test_accuracy": final.get("test_accuracy", float("nan")),
                "final": final,
                "path": entry["path"],
            }
        )
    return pd.DataFrame(rows)


def load_histories(manifest: list[dict[str, Any]]) -> pd.DataFrame:
    """Every run's history.csv, stacked with its run keys."""
    frames = [
        pd.read_csv(entry["path"]).assign(**{k: entry[k] for k in RUN_KEYS}) for entry in manifest
    ]
    return pd.concat(frames, ignore_index=True)


#: The history columns the learning-curve plots draw, where a run logs them.
PLOTTED = ("test_accuracy", "train_loss", "test_loss")


def write_plot_data(manifest: list[dict[str, Any]], out_dir: str | Path) -> list[Path]:
    """Per experiment, mean test accuracy (regression runs: test loss) and train loss per
    regime and epoch, as CSVs for ``dvc plots`` (``results/plots/{experiment}.csv``)."""
    history = load_histories(manifest)
    written = []
    for experiment, part in history.groupby("experiment", sort=True):
        # Regression runs (in-context learning) log a test loss instead of an accuracy.
        measured = [c for c in PLOTTED if c in part and part[c].notna().any()]
        means = part.groupby(["regime", "epoch"], sort=True)[measured].mean().reset_index()
        path = Path(out_dir) / f"{experiment}.csv"
        written.append(write_text_atomic(path, means.to_csv(index=False)))
    return written
