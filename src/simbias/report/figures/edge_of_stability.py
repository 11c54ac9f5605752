"""Sharpness against 2 / lr over training (Cohen et al. 2021), one panel per experiment."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.claims.edge_of_stability import EDGE_HIGH, EDGE_LOW, INITIAL_BELOW
from simbias.report.figures import FIGURES
from simbias.report.figures._common import panel_grid
from simbias.train.recorders.dynamics import load_dynamics

CAPTION = f"""
Sharpness (top Hessian eigenvalue of the training loss, on the full training set) in units
of 2 / lr, against the training step, one line per regime: the mean over seeds, the band
their minimum to maximum. The edge of stability is 1 (dashed). The claim's criterion,
drawn as a grey band over the last third of training: every seed starts below
{INITIAL_BELOW:g} and its median over the last third lies in [{EDGE_LOW:g}, {EDGE_HIGH:g}].
"""


def sharpness_ratios(paths: list[str | Path]) -> tuple[np.ndarray, np.ndarray]:
    """The steps at which sharpness was measured and sharpness / (2/lr) there, (seeds,
    steps), from runs' dynamics (their measurement steps must agree)."""
    curves, steps = [], None
    for path in paths:
        npz = load_dynamics(Path(path).parent, "edge_of_stability figure")
        measured = np.isfinite(npz["sharpness"])
        at = npz["steps"][measured]
        if steps is not None and not np.array_equal(at, steps):
            raise ValueError(f"{path}: sharpness measured at other steps than its seeds'")
        steps = at
        curves.append(npz["sharpness"][measured] * npz["lr"][measured] / 2.0)
    return np.asarray(steps), np.stack(curves)


@FIGURES.register("edge_of_stability", source="final", caption=CAPTION)
def edge_of_stability_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment, sharpness / (2/lr) over steps per regime (mean, seed range)."""
    experiments = sorted(runs["experiment"].unique())
    fig, axes = panel_grid(len(experiments), width=5.6, height=3.8)
    for ax, experiment in zip(axes, experiments, strict=False):
        part = runs[runs["experiment"] == experiment]
        last = 0
        for regime, rows in part.groupby("regime", sort=True):
            steps, ratios = sharpness_ratios(list(rows.sort_values("seed")["path"]))
            line = ax.plot(steps, ratios.mean(axis=0), linewidth=1.2,
                           label=f"{regime} (n={len(ratios)})")[0]  # fmt: skip
            ax.fill_between(steps, ratios.min(axis=0), ratios.max(axis=0),
                            color=line.get_color(), alpha=0.2, linewidth=0)  # fmt: skip
            last = max(last, int(steps[-1]))
        ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="2 / lr")
        ax.fill_between([2 * last / 3, last], EDGE_LOW, EDGE_HIGH, color="grey", alpha=0.25,
                        linewidth=0, label="criterion, last third")  # fmt: skip
        ax.set_xlabel("step")
        ax.set_ylabel("sharpness / (2 / lr)")
        ax.set_title(f"{experiment}: {part['model'].iloc[0]} on {part['dataset'].iloc[0]}",
                     fontsize=10)  # fmt: skip
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
