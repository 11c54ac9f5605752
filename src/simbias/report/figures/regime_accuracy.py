"""Test accuracy per training regime, every seed shown."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.figures import FIGURES
from simbias.report.figures._common import panel_grid

CAPTION = """
Test accuracy of every training regime (SGD, GD, SAM, adversarial, USEFUL, ensembles), mean
with 95% t interval over seeds; dots are the seeds.
"""


@FIGURES.register("regime_accuracy", source="final", caption=CAPTION)
def regime_accuracy_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment: test accuracy of each regime, mean with 95% CI and every seed."""
    experiments = sorted(runs["experiment"].unique())
    fig, axes = panel_grid(len(experiments), width=5.0)
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
