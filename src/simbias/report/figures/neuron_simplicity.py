"""Neuron simplicity per conv layer and regime (Chen, Agarwal, Nguyen 2020)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points, legend_beside

CAPTION = """
Per conv layer and regime, as Chen, Agarwal, Nguyen 2020 measure them: total variation of
each channel's activation map on clean and on noisy test images (tv_obs.py), distinct
classes among each channel's top-k test images (NetDissect's k = 10), and the share of
channels preferring texture or colour probes; means over channels, 95% t CIs over seeds.
"""

PANELS = (
    ("act_tv_clean", "activation-map TV, clean"),
    ("act_tv_noisy", "activation-map TV, noisy"),
    ("input_types", "distinct classes in top-k"),
    ("low_level_fraction", "share texture/colour"),
)
LAYER_KEY = re.compile(rf"^layer(\d+)_({'|'.join(measure for measure, _ in PANELS)})$")


@FIGURES.register("neuron_simplicity", source="analysis:neuron_simplicity", caption=CAPTION)
def neuron_simplicity_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment (rows) and measure (columns): mean over channels per regime (x), one
    colour per conv layer, 95% CI over seeds."""
    parts = summary["key"].str.extract(LAYER_KEY)
    layered = summary.assign(layer=parts[0].astype(float), measure=parts[1])
    layered = layered.dropna(subset=["layer"])
    experiments = sorted(layered["experiment"].unique())
    widest = max(layered[layered["experiment"] == e]["regime"].nunique() for e in experiments)
    # Two by two per experiment: four panels of many regimes do not fit one row.
    fig, grid = plt.subplots(
        2 * len(experiments), 2, figsize=(2 * max(4.0, 0.5 * widest + 1.2) + 1.5,
                                          3.3 * 2 * len(experiments)),
        squeeze=False,
    )  # fmt: skip
    rows = [list(grid[2 * i]) + list(grid[2 * i + 1]) for i in range(len(experiments))]
    for axes_row, experiment in zip(rows, experiments, strict=True):
        part = layered[layered["experiment"] == experiment]
        regimes = sorted(part["regime"].unique())
        layers = sorted(part["layer"].unique())
        first = part.iloc[0]
        for ax, (measure, label) in zip(axes_row, PANELS, strict=True):
            dodged_points(ax, part[part["measure"] == measure], regimes, "regime", "layer",
                          values=layers, labels=_layer_label)  # fmt: skip
            ax.set_ylabel(f"{label}\n(mean, 95% CI)", fontsize=8)
            ax.set_title(f"{experiment} ({first['dataset']} / {first['model']}): {label}",
                         fontsize=8)  # fmt: skip
        legend_beside(axes_row[1])
    fig.suptitle(
        "Neuron simplicity per regime and conv layer (Chen et al. 2020)\n"
        "robust (adversarial) training is expected to lower activation-map TV",
        fontsize=10,
    )
    return fig


def _layer_label(layer: float) -> str:
    return f"conv layer {int(layer) + 1}"
