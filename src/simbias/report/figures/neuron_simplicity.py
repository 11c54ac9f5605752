"""Neuron simplicity per conv layer and regime (Chen, Agarwal, Nguyen 2020)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES

CAPTION = """
Per conv layer and regime, as Chen, Agarwal, Nguyen 2020 measure them: total variation of
each channel's activation map on clean and on noisy test images (tv_obs.py), distinct
classes among each channel's top-k test images (NetDissect's k = 10), and the share of
channels preferring texture or colour probes; means over channels, 95% t CIs over seeds.
"""

PANELS = (
    ("act_tv_clean", "activation-map TV, clean images"),
    ("act_tv_noisy", "activation-map TV, noisy images"),
    ("input_types", "distinct classes among top-k test images"),
    ("low_level_fraction", "share of texture/colour detectors"),
)
LAYER_KEY = re.compile(rf"^layer(\d+)_({'|'.join(measure for measure, _ in PANELS)})$")


@FIGURES.register("neuron_simplicity", source="analysis:neuron_simplicity", caption=CAPTION)
def neuron_simplicity_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment and measure: mean over channels per conv layer, one line per regime
    (95% CI over seeds)."""
    parts = summary["key"].str.extract(LAYER_KEY)
    layered = summary.assign(layer=parts[0].astype(float), measure=parts[1])
    layered = layered.dropna(subset=["layer"])
    experiments = sorted(layered["experiment"].unique())
    fig, axes = plt.subplots(
        len(experiments), len(PANELS), figsize=(4.0 * len(PANELS), 3.4 * len(experiments)),
        squeeze=False,
    )  # fmt: skip
    for axes_row, experiment in zip(axes, experiments, strict=True):
        part = layered[layered["experiment"] == experiment]
        for ax, (measure, title) in zip(axes_row, PANELS, strict=True):
            chosen = part[part["measure"] == measure]
            for regime, rows in chosen.groupby("regime"):
                rows = rows.sort_values("layer")
                layers = rows["layer"].to_numpy() + 1
                ax.errorbar(
                    layers, rows["mean"], yerr=ci_error(rows),
                    marker="o", capsize=3, label=regime,
                )  # fmt: skip
                ax.set_xticks(layers)
            ax.set_xlabel("conv layer")
            ax.set_title(title, fontsize=9)
        axes_row[0].set_ylabel(f"{experiment}\n(mean, 95% CI)", fontsize=8)
        axes_row[0].legend(fontsize=7)
    fig.suptitle("Neuron simplicity per layer and regime (Chen et al. 2020)", fontsize=11)
    return fig
