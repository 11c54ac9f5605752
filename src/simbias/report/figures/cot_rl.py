"""Chain-of-thought length under RL (Wu et al. 2025): the mean number of steps the model
chooses and its accuracy against the RL epoch, one panel per experiment (model size), the
shuffled-reward control beside the true reward (their RL figure: length falls as accuracy
rises)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.cot_rl import ACCURACY, STEPS, rl_rows
from simbias.report.figures import FIGURES
from simbias.report.figures._common import SERIES_COLOURS, figure_legend

CAPTION = """
REINFORCE on the step size k a chain-of-thought model chooses itself (reward: the right
final answer), after its supervised training: the mean number of CoT steps ceil(T / k) of
its choices (solid, left axis) and the share of its rollouts answered right (dashed, right
axis) against the RL epoch, one panel per experiment (model size), mean over seeds with the
seeds' range shaded; the same RL with rewards shuffled within each batch is the control.
"""


@FIGURES.register("cot_rl", source="history", caption=CAPTION)
def cot_rl_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: mean steps and accuracy against RL epoch, a colour per regime."""
    rl = rl_rows(history)
    if rl.empty:
        raise ValueError("cot_rl: the histories have no RL rows (no policy_gradient runs)")
    experiments = sorted(rl["experiment"].unique())
    panels = len(experiments)
    fig, axes = plt.subplots(1, panels, figsize=(4.8 * panels, 3.8), squeeze=False)
    for ax, experiment in zip(axes[0], experiments, strict=True):
        part = rl[rl["experiment"] == experiment]
        right = ax.twinx()
        for index, (regime, runs) in enumerate(part.groupby("regime", sort=True)):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            by_epoch = runs.groupby("rl_epoch", sort=True)
            series = ((ax, STEPS, "-", "mean steps"), (right, ACCURACY, "--", "accuracy"))
            for axis, column, style, what in series:
                stats = by_epoch[column].agg(["mean", "min", "max"])
                axis.plot(stats.index, stats["mean"], style, color=colour, marker="o",
                          markersize=3, linewidth=1.2,
                          label=f"{regime}: {what}")  # fmt: skip
                axis.fill_between(stats.index, stats["min"], stats["max"], color=colour,
                                  alpha=0.12, linewidth=0)  # fmt: skip
        right.set_ylim(-0.03, 1.03)
        right.set_ylabel("accuracy of the rollouts")
        ax.set_xlabel("RL epoch")
        ax.grid(color="0.92", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title(f"{experiment}\n{part.iloc[0]['model']} (n={part['seed'].nunique()} seeds)",
                     fontsize=10)  # fmt: skip
    axes[0, 0].set_ylabel("mean CoT steps ceil(T / k)")
    handles, labels = [], []
    for axis in fig.axes:  # both y axes of every panel
        found = axis.get_legend_handles_labels()
        handles, labels = handles + found[0], labels + found[1]
    figure_legend(fig, handles, labels, ncol=4)
    return fig
