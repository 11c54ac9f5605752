"""Neuron simplicity per conv layer and regime (Chen, Agarwal, Nguyen 2020)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES

CAPTION = """
Per conv layer and regime: total variation and high-frequency energy of each channel's
preferred input (mean of its top-20 probe images), distinct input types among the top-20,
and the share of channels preferring texture or colour probes; means and 95% CIs over seeds.
"""

LAYER_KEY = re.compile(
    r"^layer(\d+)_(preferred_tv|preferred_high_freq|input_types|low_level_fraction)$"
)
PANELS = (
    ("preferred_tv", "preferred input: total variation"),
    ("preferred_high_freq", "preferred input: high-frequency energy"),
    ("input_types", "input types among top-20 inputs"),
    ("low_level_fraction", "share of texture/colour detectors"),
)


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
