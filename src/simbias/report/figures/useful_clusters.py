"""USEFUL: size of the slow-learnable cluster per class."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.figures import FIGURES
from simbias.report.figures._common import panel_grid, panel_title

CAPTION = """
USEFUL: share of each class's training examples in the slow-learnable cluster (k-means, k=2,
on the network's logits at the separating epoch), which is upsampled once; mean and 95% CI
over seeds.
"""


@FIGURES.register("useful_clusters", source="final", caption=CAPTION)
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
                        "model": run["model"],
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
    fig, axes = panel_grid(len(experiments), width=5.5)
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
        ax.set_title(panel_title(experiment, part, f"(n={part['seed'].nunique()} seeds)"),
                     fontsize=9)  # fmt: skip
        ax.legend(fontsize=7)
    fig.suptitle("USEFUL: size of the slow-learnable cluster per class", fontsize=11)
    return fig
