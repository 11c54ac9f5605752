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
from simbias.train.recorders.dynamics import load_dynamics

CAPTION = """
Training dynamics of each regime's first seed: mean loss of the two groups of Rosenfeld &
Risteski 2023, the examples whose loss rises most (A) and falls most (B) at one iteration of
the select window (grey; majority labels differing where the dynamics record labels; the
dotted line marks the iteration), followed into the later score window (white), where their
loss changes' correlation r and covariance are measured (the opposing_signals analysis at
its default settings); on the right axis, the top Hessian eigenvalue (power iteration) with GD's
stability threshold 2/lr.
"""


@FIGURES.register("dynamics", source="final", caption=CAPTION)
def dynamics_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment (rows) and regime (columns), the lowest seed: mean loss of the two
    opposing groups over steps (left axis), sharpness and 2/lr (right axis)."""
    first = runs.sort_values("seed").groupby(["experiment", "regime"]).head(1)
    experiments = sorted(first["experiment"].unique())
    n_cols = int(first.groupby("experiment").size().max())
    fig, axes = plt.subplots(
        len(experiments),
        n_cols,
        figsize=(max(5.5, 4.4 * n_cols), 3.4 * len(experiments)),
        squeeze=False,
    )
    for axes_row, experiment in zip(axes, experiments, strict=True):
        part = first[first["experiment"] == experiment].sort_values("regime")
        for ax in axes_row[len(part) :]:
            ax.set_visible(False)
        for ax, row in zip(axes_row, part.itertuples(), strict=False):
            npz = load_dynamics(Path(row.path).parent, "dynamics figure")
            steps, losses = npz["steps"], npz["losses"]
            sharpness, lr = npz["sharpness"], npz["lr"]
            labels = npz.get("labels")
            _plot_groups(ax, steps, losses, labels)
            ax.set_yscale("log")
            ax.set_xlabel("step")
            ax.set_ylabel("mean loss of the group")
            twin = ax.twinx()
            measured = np.isfinite(sharpness)
            twin.plot(steps[measured], sharpness[measured], "k.-", markersize=3, linewidth=0.8,
                      label="sharpness (top Hessian eigenvalue)")  # fmt: skip
            # 2/lr is GD's stability threshold; it says nothing about Adam's steps.
            top = np.nanmax(sharpness) if measured.any() else 1.0
            if row.final["train_settings"]["optimizer"] != "adam":
                twin.plot(steps, 2 / lr, "k--", linewidth=1, label="2 / lr (GD threshold)")
                top = max(top, float(np.median(2 / lr)))
            twin.set_ylabel("sharpness")
            twin.set_ylim(0, 1.3 * top)  # a decaying lr sends 2/lr off the chart: clip it
            ax.set_title(
                f"{row.dataset} / {row.model} / {row.regime} (seed {row.seed})", fontsize=9
            )
            lines = ax.get_legend_handles_labels()
            more = twin.get_legend_handles_labels()
            ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=6, loc="best")
    fig.suptitle(
        "Opposing signals: groups that rose and fell most, followed on",
        fontsize=11,
    )
    return fig


def _plot_groups(ax: plt.Axes, steps: np.ndarray, losses: np.ndarray, labels) -> None:
    """The rising and falling groups' mean losses, the select window shaded."""
    windows = split_windows(len(losses))
    groups = opposing_groups(losses, labels, select_end=windows.select_end)
    ax.axvspan(steps[0], steps[windows.select_end - 1], color="0.9", zorder=0,
               label="select window")  # fmt: skip
    if not groups.found:
        ax.text(0.5, 0.5, "no rising and falling groups\nwith different labels",
                transform=ax.transAxes, ha="center", fontsize=8)  # fmt: skip
        return
    ax.axvline(steps[groups.iteration], color="0.4", linestyle=":", linewidth=1)
    score = slice(windows.score_start, None)
    curves = groups.curve_a[score], groups.curve_b[score]
    r, cov = opposition_score(*curves), opposition_covariance(*curves)
    for curve, index, color, name in (
        (groups.curve_a, groups.index_a, "#ee6677", "A, rose most"),
        (groups.curve_b, groups.index_b, "#4477aa", "B, fell most"),
    ):
        ax.plot(steps, curve, color=color, label=f"group {name} (n={len(index)})")
    ax.plot([], [], " ", label=f"score window: r = {r:.2f}, cov = {cov:.2g}")
