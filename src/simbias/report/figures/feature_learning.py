"""Feature learning: filter alignment with the fast and the slow feature over epochs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.figures import FIGURES
from simbias.report.figures._common import panel_grid

CAPTION = """
Alignment of the two-layer CNN's filters with the fast- and the slow-learnable feature over
epochs (log scale), GD vs SAM, mean and 95% CI over seeds (Nguyen et al. 2024, USEFUL).
"""


@FIGURES.register("feature_learning", source="history", caption=CAPTION)
def feature_learning_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: filter alignment with the fast and the slow feature over epochs."""
    experiments = sorted(history["experiment"].unique())
    fig, axes = panel_grid(len(experiments), width=5.0, height=3.8)
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
