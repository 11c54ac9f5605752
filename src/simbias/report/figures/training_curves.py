"""Training curves: train loss and test accuracy per epoch."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.figures import FIGURES
from simbias.report.figures._common import figure_legend, panel_grid, panel_title

CAPTION = """
Training loss (dashed, log scale) and test accuracy (solid) per epoch, mean and 95% CI over
seeds, per experiment and regime. A seed that stopped on its training goal (a loss or
accuracy target) keeps its last values after it stopped, so that every epoch averages every
seed: otherwise the mean would fall back to the seeds still training.
"""


def held_after_stop(runs: pd.DataFrame) -> pd.DataFrame:
    """Each seed's rows at every epoch of ``runs``, a seed that stopped early holding its
    last row."""
    epochs = sorted(runs["epoch"].unique())
    return pd.concat(
        seed.set_index("epoch").reindex(epochs).ffill().reset_index()
        for _, seed in runs.groupby("seed")
    )


@FIGURES.register("training_curves", source="history", caption=CAPTION)
def training_curves_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: train loss and test accuracy per epoch, mean and 95% CI over seeds."""
    experiments = sorted(history["experiment"].unique())
    fig, axes = panel_grid(len(experiments))
    legend: tuple[list, list] = ([], [])
    for ax, experiment in zip(axes, experiments, strict=False):
        part = history[history["experiment"] == experiment]
        loss_ax = ax.twinx()
        for regime, runs in part.groupby("regime", sort=True):
            runs = held_after_stop(runs)
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
        ax.set_title(panel_title(experiment, part, f"(n={part['seed'].nunique()} seeds)"),
                     fontsize=9)  # fmt: skip
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy (solid)")
        ax.set_ylim(0.4, 1.02)
        loss_ax.set_ylabel("train loss (dashed, log)")
        loss_ax.set_yscale("log")
        handles = ax.get_legend_handles_labels()
        loss_handles = loss_ax.get_legend_handles_labels()
        legend[0].extend(handles[0] + loss_handles[0])
        legend[1].extend(handles[1] + loss_handles[1])
    figure_legend(fig, *legend)  # under the panels, off the curves
    fig.suptitle("Training curves (mean and 95% CI over seeds)", fontsize=11)
    return fig
