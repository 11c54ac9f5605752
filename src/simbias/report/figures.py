"""Figures of the headline results, saved as PNG and PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simbias.analysis.aggregate import summarise  # noqa: E402
from simbias.io import write_atomic  # noqa: E402
from simbias.report.tables import SPLIT_LABELS  # noqa: E402

SPLIT_COLOURS = {"test": "#4477aa", "s_rand": "#ee6677", "sc_rand": "#228833"}


def _panel_grid(n_panels: int, width: float = 4.2, height: float = 3.4):
    columns = min(n_panels, 3)
    rows = int(np.ceil(n_panels / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, axes.flat


def save_figure(fig: plt.Figure, png_path: str | Path, pdf_path: str | Path) -> None:
    fig.tight_layout()
    for path, fmt in ((png_path, "png"), (pdf_path, "pdf")):
        write_atomic(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=150))
    plt.close(fig)


def sb_accuracy_figure(summary: pd.DataFrame, metric: str = "accuracy") -> plt.Figure:
    """Per experiment: test / S-rand / S^c-rand accuracy for each regime, 95% CI bars."""
    chosen = summary[summary["metric"] == metric]
    experiments = sorted(chosen["experiment"].unique())
    fig, axes = _panel_grid(len(experiments))
    for ax, experiment in zip(axes, experiments, strict=False):
        part = chosen[chosen["experiment"] == experiment]
        regimes = sorted(part["regime"].unique())
        splits = [s for s in SPLIT_LABELS if s in set(part["split"])]
        bar_width = 0.8 / len(splits)
        for offset, split in enumerate(splits):
            rows = part[part["split"] == split].set_index("regime").loc[regimes]
            x = np.arange(len(regimes)) + (offset - (len(splits) - 1) / 2) * bar_width
            error = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
            ax.bar(
                x,
                rows["mean"],
                bar_width,
                yerr=error,
                capsize=3,
                label=SPLIT_LABELS[split],
                color=SPLIT_COLOURS[split],
            )
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance (2 classes)")
        first = part.iloc[0]
        ax.set_title(f"{first['dataset']} / {first['model']}  (n={int(part['n'].max())} seeds)")
        ax.set_xticks(np.arange(len(regimes)), regimes)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(f"{metric} (mean, 95% CI)")
        ax.set_xlabel("regime")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(
        "Simplicity bias: accuracy when the simple (S) or complex (S^c) features are randomised",
        fontsize=11,
    )
    return fig


def training_curves_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: train loss and test accuracy per epoch, mean and 95% CI over seeds."""
    experiments = sorted(history["experiment"].unique())
    fig, axes = _panel_grid(len(experiments))
    for ax, experiment in zip(axes, experiments, strict=False):
        part = history[history["experiment"] == experiment]
        loss_ax = ax.twinx()
        for regime, runs in part.groupby("regime", sort=True):
            for column, axis, style in (("train_loss", loss_ax, "--"), ("test_accuracy", ax, "-")):
                stats = summarise(runs, ["epoch"], value=column)
                label = f"{regime}: {column.replace('_', ' ')}"
                (line,) = axis.plot(stats["epoch"], stats["mean"], style, label=label)
                axis.fill_between(
                    stats["epoch"],
                    stats["ci_low"],
                    stats["ci_high"],
                    color=line.get_color(),
                    alpha=0.2,
                )
        first = part.iloc[0]
        ax.set_title(f"{first['dataset']} / {first['model']}  (n={part['seed'].nunique()} seeds)")
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy (solid)")
        ax.set_ylim(0.4, 1.02)
        loss_ax.set_ylabel("train loss (dashed, log)")
        loss_ax.set_yscale("log")
        handles = ax.get_legend_handles_labels()
        loss_handles = loss_ax.get_legend_handles_labels()
        ax.legend(
            handles[0] + loss_handles[0],
            handles[1] + loss_handles[1],
            fontsize=7,
            loc="best",
        )
    fig.suptitle("Training curves (mean and 95% CI over seeds)", fontsize=11)
    return fig


def write_figure(
    name: str, manifest: list[dict], png_path: str | Path, pdf_path: str | Path
) -> None:
    """Build figure ``name`` from its inputs (per-run metric JSONs or histories)."""
    # Local import: tables sits beside figures in the report layer.
    from simbias.report.tables import load_histories, load_run_metrics, summarise_metrics

    if name == "sb_accuracy":
        fig = sb_accuracy_figure(summarise_metrics(load_run_metrics(manifest)))
    elif name == "training_curves":
        fig = training_curves_figure(load_histories(manifest))
    else:
        raise ValueError(f"unknown figure {name!r}; known: {sorted(FIGURE_INPUTS)}")
    save_figure(fig, png_path, pdf_path)


#: What each figure is drawn from: per-run analysis JSONs or training histories.
FIGURE_INPUTS = {"sb_accuracy": "sb_metrics", "training_curves": "history"}
