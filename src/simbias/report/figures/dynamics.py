"""Training dynamics: the opposing groups' losses over steps, with sharpness vs 2/lr."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.opposing_signals import (
    opposing_groups,
    opposition_covariance,
    opposition_score,
    split_windows,
)
from simbias.report.figures import FIGURES
from simbias.report.figures._common import figure_legend, panel_grid
from simbias.train.recorders.dynamics import load_dynamics

CAPTION = """
Each regime's first seed: mean loss of Rosenfeld & Risteski's two groups, the examples whose
loss rose most (A) and fell most (B) at one iteration (dotted) of the select window (grey),
followed into the score window, where the title gives their loss changes' correlation r and
covariance: opposing signals show as the two curves moving in counter-phase (r < 0). Right
axis: the top Hessian eigenvalue and, for SGD/GD, 2/lr at each step (GD's stability
threshold). Steps on a log scale past step 10, where most of the movement is.
"""


def stability_threshold(lr: np.ndarray) -> np.ndarray:
    """2 / lr per step; NaN where the learning rate is not positive (a schedule's end), so
    that no line runs to infinity."""
    lr = np.asarray(lr, dtype=float)
    threshold = np.full(lr.shape, np.nan)
    np.divide(2.0, lr, out=threshold, where=np.isfinite(lr) & (lr > 0))
    return threshold


@FIGURES.register("dynamics", source="final", caption=CAPTION)
def dynamics_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment and regime, the lowest seed: mean loss of the two opposing groups over
    steps (left axis), sharpness and 2/lr (right axis); one legend for all panels."""
    first = runs.sort_values("seed").groupby(["experiment", "regime"]).head(1)
    rows = list(first.sort_values(["experiment", "regime"]).itertuples())
    fig, axes = panel_grid(len(rows), width=4.6, height=3.6)
    for ax, row in zip(axes, rows, strict=False):
        npz = load_dynamics(Path(row.path).parent, "dynamics figure")
        steps, losses = npz["steps"], npz["losses"]
        sharpness, lr = npz["sharpness"], npz["lr"]
        score = _plot_groups(ax, steps, losses, npz.get("labels"))
        ax.set_yscale("log")
        ax.set_xscale("symlog", linthresh=10, linscale=0.6)
        ax.set_xlim(steps[0], steps[-1])
        ax.set_xlabel("step (linear to 10, then log)")
        ax.set_ylabel("mean loss of the group")
        twin = ax.twinx()
        measured = np.isfinite(sharpness)
        twin.plot(steps[measured], sharpness[measured], "k.-", markersize=3, linewidth=0.8,
                  label="sharpness (top Hessian eigenvalue)")  # fmt: skip
        top = float(np.nanmax(sharpness)) if measured.any() else 1.0
        # 2/lr is GD's stability threshold; it says nothing about Adam's steps.
        if row.final["train_settings"]["optimizer"] != "adam":
            threshold = stability_threshold(lr)
            if np.isfinite(threshold).any():
                twin.plot(steps, threshold, "k--", linewidth=1, label="2 / lr (GD threshold)")
                top = max(top, float(np.nanmin(threshold)))  # a decaying lr leaves the chart
        twin.set_ylabel("sharpness")
        twin.set_ylim(0, 1.3 * top)
        ax.set_title(f"{row.experiment}: {row.regime} (seed {row.seed})\n{score}", fontsize=8)
    handles, labels = [], []
    for ax in fig.axes:
        more = ax.get_legend_handles_labels()
        handles += more[0]
        labels += more[1]
    spare = [ax for ax in axes if not ax.get_visible()]
    if spare:  # the first empty slot holds the legend
        spare[0].set_visible(True)
        spare[0].axis("off")
        kept = dict(zip(labels, handles, strict=True))
        spare[0].legend(list(kept.values()), list(kept), loc="center", fontsize=8)
    else:
        figure_legend(fig, handles, labels, ncol=3)
    fig.suptitle("Opposing signals: the groups whose loss rose and fell most, followed on",
                 fontsize=11)  # fmt: skip
    return fig


def _plot_groups(ax: plt.Axes, steps: np.ndarray, losses: np.ndarray, labels) -> str:
    """The rising and falling groups' mean losses, the select window shaded; the score
    window's r and covariance as a line of text ("" when no groups were found)."""
    windows = split_windows(len(losses))
    groups = opposing_groups(losses, labels, select_end=windows.select_end)
    ax.axvspan(steps[0], steps[windows.select_end - 1], color="0.9", zorder=0,
               label="select window")  # fmt: skip
    if not groups.found or not (len(groups.index_a) and len(groups.index_b)):
        ax.text(0.5, 0.5, "no rising and falling groups\nwith different labels",
                transform=ax.transAxes, ha="center", fontsize=8)  # fmt: skip
        return "no groups found"
    ax.axvline(steps[groups.iteration], color="0.4", linestyle=":", linewidth=1,
               label="selecting iteration")  # fmt: skip
    score = slice(windows.score_start, None)
    curves = groups.curve_a[score], groups.curve_b[score]
    r, cov = opposition_score(*curves), opposition_covariance(*curves)
    for curve, color, name in (
        (groups.curve_a, "#ee6677", "group A, rose most"),
        (groups.curve_b, "#4477aa", "group B, fell most"),
    ):
        ax.plot(steps, curve, color=color, label=name)
    sizes = f"n = {len(groups.index_a)} + {len(groups.index_b)}"
    return f"{sizes}; score window r = {r:.2f}, cov = {cov:.2g}"
