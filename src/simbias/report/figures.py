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
from simbias.report.dynamics_figures import (  # noqa: E402
    aspect_ratio_figure,
    dynamics_figure,
    weight_spectra_figure,
)
from simbias.report.shape_figures import (  # noqa: E402
    filter_grid_figure,
    neuron_simplicity_figure,
    shape_bias_figure,
)
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


def regime_accuracy_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment: test accuracy of each regime, mean with 95% CI and every seed."""
    experiments = sorted(runs["experiment"].unique())
    fig, axes = _panel_grid(len(experiments), width=5.0)
    for ax, experiment in zip(axes, experiments, strict=False):
        part = runs[runs["experiment"] == experiment]
        stats = summarise(part, ["regime"], value="test_accuracy")
        x = np.arange(len(stats))
        error = np.vstack([stats["mean"] - stats["ci_low"], stats["ci_high"] - stats["mean"]])
        ax.bar(x, stats["mean"], 0.6, yerr=error, capsize=3, color="#4477aa", alpha=0.8)
        for position, regime in enumerate(stats["regime"]):
            seeds = part[part["regime"] == regime]["test_accuracy"]
            ax.plot(np.full(len(seeds), position), seeds, "k.", markersize=4)
        low = max(0.0, float(stats["ci_low"].min()) - 0.05)
        ax.set_ylim(low, min(1.0, float(part["test_accuracy"].max()) + 0.02))
        ax.set_xticks(x, stats["regime"], rotation=30, ha="right")
        first = part.iloc[0]
        ax.set_title(f"{first['dataset']} / {first['model']}  (n={int(stats['n'].max())} seeds)")
        ax.set_ylabel("test accuracy (mean, 95% CI; dots: seeds)")
    fig.suptitle("Test accuracy per training regime", fontsize=11)
    return fig


def feature_learning_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: filter alignment with the fast and the slow feature over epochs."""
    experiments = sorted(history["experiment"].unique())
    fig, axes = _panel_grid(len(experiments), width=5.0, height=3.8)
    for ax, experiment in zip(axes, experiments, strict=False):
        part = history[history["experiment"] == experiment]
        for index, (regime, runs) in enumerate(part.groupby("regime", sort=True)):
            colour = f"C{index}"
            for column, style in (("align_fast", "-"), ("align_slow", "--")):
                stats = summarise(runs, ["epoch"], value=column)
                ax.plot(
                    stats["epoch"],
                    stats["mean"],
                    style,
                    color=colour,
                    label=f"{regime}: {column.removeprefix('align_')} feature",
                )
                ax.fill_between(
                    stats["epoch"], stats["ci_low"], stats["ci_high"], color=colour, alpha=0.15
                )
        first = part.iloc[0]
        ax.set_title(f"{first['dataset']} / {first['model']}  (n={part['seed'].nunique()} seeds)")
        ax.set_xlabel("epoch")
        ax.set_yscale("log")  # the slow feature grows from the init scale, far below the fast
        ax.set_ylabel("alignment max_r <w_r, v> (log; mean, 95% CI)")
        ax.legend(fontsize=7, loc="best")
    fig.suptitle("Feature learning: solid = fast feature, dashed = slow feature", fontsize=11)
    return fig


def useful_clusters_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment: USEFUL's slow-cluster share of each class, mean and 95% CI over
    seeds, for every regime that uses USEFUL."""
    rows = []
    for _, run in runs.iterrows():
        for member in run["final"].get("useful", []):
            for label, sizes in member["classes"].items():
                rows.append(
                    {
                        "experiment": run["experiment"],
                        "dataset": run["dataset"],
                        "regime": run["regime"],
                        "seed": run["seed"],
                        "class": int(label),
                        "slow_share": sizes["slow_cluster_size"] / sizes["size"],
                    }
                )
    table = pd.DataFrame(rows)
    if table.empty:
        raise ValueError("useful_clusters: no run of these experiments used USEFUL")
    experiments = sorted(table["experiment"].unique())
    fig, axes = _panel_grid(len(experiments), width=5.5)
    for ax, experiment in zip(axes, experiments, strict=False):
        part = table[table["experiment"] == experiment]
        regimes = sorted(part["regime"].unique())
        width = 0.8 / len(regimes)
        for offset, regime in enumerate(regimes):
            stats = summarise(part[part["regime"] == regime], ["class"], value="slow_share")
            x = stats["class"].to_numpy() + (offset - (len(regimes) - 1) / 2) * width
            error = np.vstack([stats["mean"] - stats["ci_low"], stats["ci_high"] - stats["mean"]])
            ax.bar(x, stats["mean"], width, yerr=error, capsize=2, label=regime)
        ax.set_xticks(sorted(part["class"].unique()))
        ax.set_xlabel("class")
        ax.set_ylabel("share upsampled (slow cluster)")
        ax.set_ylim(0, 1)
        ax.set_title(f"{part.iloc[0]['dataset']}  (n={part['seed'].nunique()} seeds)")
        ax.legend(fontsize=7)
    fig.suptitle("USEFUL: size of the slow-learnable cluster per class", fontsize=11)
    return fig


#: Figure name -> (what it is drawn from, how). Sources: per-run analysis JSONs,
#: training histories, or final.json files.
FIGURES = {
    "sb_accuracy": ("metrics", sb_accuracy_figure),
    "training_curves": ("history", training_curves_figure),
    "feature_learning": ("history", feature_learning_figure),
    "regime_accuracy": ("final", regime_accuracy_figure),
    "useful_clusters": ("final", useful_clusters_figure),
    "shape_bias": ("metrics", shape_bias_figure),
    "neuron_simplicity": ("metrics", neuron_simplicity_figure),
    "filter_grid": ("final", filter_grid_figure),
    "dynamics": ("final", dynamics_figure),
    "weight_spectra": ("metrics", weight_spectra_figure),
    "aspect_ratio": ("metrics", aspect_ratio_figure),
}


def write_figure(
    name: str, manifest: list[dict], png_path: str | Path, pdf_path: str | Path
) -> None:
    """Build figure ``name`` from its inputs and save it as PNG and PDF."""
    # Local import: tables sits beside figures in the report layer.
    from simbias.report.tables import (
        load_finals,
        load_histories,
        load_run_metrics,
        summarise_metrics,
    )

    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {sorted(FIGURES)}")
    source, draw = FIGURES[name]
    if source == "metrics":
        data = summarise_metrics(load_run_metrics(manifest))
    elif source == "history":
        data = load_histories(manifest)
    else:
        data = load_finals(manifest)
    save_figure(draw(data), png_path, pdf_path)
