"""Spectral bias over training (Rahaman et al. 2019, Fig. 1): per experiment, each target
frequency's amplitude in the fit over its amplitude in the target, against training."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.spectral_bias import LEARNED_SHARE
from simbias.report.figures import FIGURES
from simbias.report.figures._common import panel_grid, panel_title

CAPTION = f"""
Rahaman et al.'s heat map: the amplitude of each frequency of the target (a sum of sines)
in the network's fit on its training grid, divided by its amplitude in the target (1:
fitted), mean over seeds, against the frequency and the training epoch (each epoch is the
experiment's steps_per_epoch full-batch steps, 100 in this project's configs). The white
line is where the mean share crosses {LEARNED_SHARE:g}: the claim's half-amplitude step
should rise with frequency. One panel per experiment, the Fourier-feature controls beside.
"""

SHARE = re.compile(r"share_(\d+)")


@FIGURES.register("spectral_dynamics", source="history", caption=CAPTION)
def spectral_dynamics_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment, mean share of target amplitude by frequency (x) and epoch (y)."""
    experiments = sorted(history["experiment"].unique())
    fig, flat = panel_grid(len(experiments), width=4.4, height=3.8, columns=2)
    axes = list(flat)[: len(experiments)]
    for ax, experiment in zip(axes, experiments, strict=False):
        part = history[history["experiment"] == experiment]
        columns = sorted((c for c in part if SHARE.fullmatch(c) and part[c].notna().any()),
                         key=lambda c: int(SHARE.fullmatch(c).group(1)))  # fmt: skip
        frequencies = [int(SHARE.fullmatch(c).group(1)) for c in columns]
        means = part.groupby("epoch", sort=True)[columns].mean()
        epochs = means.index.to_numpy()
        image = ax.pcolormesh(np.arange(len(frequencies) + 1) - 0.5,
                              np.concatenate([[epochs[0] - 1], epochs]) + 0.5,
                              means.to_numpy(), vmin=0.0, vmax=1.0, cmap="viridis",
                              shading="flat")  # fmt: skip
        if means.to_numpy().max() >= LEARNED_SHARE > means.to_numpy().min():
            ax.contour(np.arange(len(frequencies)), epochs, means.to_numpy(),
                       levels=[LEARNED_SHARE], colors="white", linewidths=1.2)  # fmt: skip
        ax.set_xticks(np.arange(len(frequencies)), frequencies, fontsize=8)
        ax.set_xlabel("frequency (cycles on [0, 1))")
        ax.set_ylabel("epoch")
        seeds = part["seed"].nunique()
        ax.set_title(panel_title(experiment, part, f"n={seeds}"), fontsize=9)
        fig.colorbar(image, ax=ax, label="amplitude in fit / in target")
    return fig
