"""Test accuracy per training regime, every seed shown."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.figures import FIGURES
from simbias.report.figures._common import figure_legend, panel_grid, panel_title

CAPTION = """
Test accuracy of every training regime (SGD, GD, SAM, adversarial, USEFUL, ensembles), per
experiment: mean with 95% t interval over seeds (points), the seeds as dots beside it.
"""


@FIGURES.register("regime_accuracy", source="final", caption=CAPTION)
def regime_accuracy_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment: test accuracy of each regime, mean with 95% CI (points, not bars: the
    axis does not start at 0) and every seed beside it."""
    experiments = sorted(runs["experiment"].unique())
    fig, axes = panel_grid(len(experiments), width=5.0, height=3.6)
    for ax, experiment in zip(axes, experiments, strict=False):
        part = runs[runs["experiment"] == experiment]
        stats = summarise(part, ["regime"], value="test_accuracy")
        x = np.arange(len(stats))
        error = np.vstack([stats["mean"] - stats["ci_low"], stats["ci_high"] - stats["mean"]])
        ax.errorbar(x, stats["mean"], yerr=error, fmt="o", color="#4477aa", capsize=3,
                    markersize=6, label="mean, 95% CI")  # fmt: skip
        for position, regime in enumerate(stats["regime"]):
            seeds = part[part["regime"] == regime]["test_accuracy"]
            ax.plot(np.full(len(seeds), position + 0.18), seeds, "k.", markersize=3,
                    label="seeds" if position == 0 else None)  # fmt: skip
        low = max(0.0, float(min(stats["ci_low"].min(), part["test_accuracy"].min())) - 0.03)
        high = max(float(stats["ci_high"].max()), float(part["test_accuracy"].max()))
        ax.set_ylim(low, min(1.005, high + 0.01))
        ax.set_xticks(x, stats["regime"], rotation=35, ha="right", fontsize=8)
        ax.set_xlim(-0.6, len(stats) - 0.4)
        ax.grid(axis="y", color="0.92", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title(panel_title(experiment, part, f"(n={int(stats['n'].max())} seeds)"),
                     fontsize=9)  # fmt: skip
        ax.set_ylabel("test accuracy")
    handles, labels = axes[0].get_legend_handles_labels()
    figure_legend(fig, handles, labels)
    fig.suptitle("Test accuracy per training regime", fontsize=11, y=1.02)
    return fig
