"""Training dynamics: the opposing groups' losses over steps, with sharpness vs 2/lr."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.opposing_signals import opposing_groups
from simbias.report.figures import FIGURES
from simbias.train.recorders.dynamics import DYNAMICS_NAME

CAPTION = """
Training dynamics of each regime's first seed: mean loss of the two groups of examples whose
loss changes most (split by their first principal component; Rosenfeld & Risteski 2023) and,
on the right axis, the top Hessian eigenvalue (power iteration) with GD's stability
threshold 2/lr.
"""


@FIGURES.register("dynamics", source="final", caption=CAPTION)
def dynamics_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment (rows) and regime (columns), the lowest seed: mean loss of the two
    opposing groups over steps (left axis), sharpness and 2/lr (right axis)."""
    first = runs.sort_values("seed").groupby(["experiment", "regime"]).head(1)
    experiments = sorted(first["experiment"].unique())
    n_cols = int(first.groupby("experiment").size().max())
    fig, axes = plt.subplots(
        len(experiments), n_cols, figsize=(4.4 * n_cols, 3.4 * len(experiments)), squeeze=False
    )
    for axes_row, experiment in zip(axes, experiments, strict=True):
        part = first[first["experiment"] == experiment].sort_values("regime")
        for ax in axes_row[len(part) :]:
            ax.set_visible(False)
        for ax, row in zip(axes_row, part.itertuples(), strict=False):
            with np.load(Path(row.path).parent / DYNAMICS_NAME) as npz:
                steps, losses = npz["steps"], npz["losses"]
                sharpness, lr = npz["sharpness"], npz["lr"]
            groups = opposing_groups(losses)
            ax.plot(
                steps, groups.curve_a, color="#ee6677", label=f"group A (n={len(groups.index_a)})"
            )
            ax.plot(
                steps, groups.curve_b, color="#4477aa", label=f"group B (n={len(groups.index_b)})"
            )
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
        "Opposing signals: the two groups of examples whose loss changes most, with sharpness",
        fontsize=11,
    )
    return fig
