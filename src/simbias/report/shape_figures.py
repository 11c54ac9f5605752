"""Figures of the shape-bias experiments (Chen, Agarwal, Nguyen 2020): shape bias per
regime, first-layer filters side by side, and neuron simplicity per layer."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from simbias.report.error_bars import ci_error
from simbias.report.tables import metric_keys

CUE_SPLITS = {
    "shape_only": "shape only",
    "texture_only": "texture only",
    "colour_only": "colour only",
    "test": "cues agree",
}


def _bars(ax, rows: pd.DataFrame, x: np.ndarray, width: float, **style) -> None:
    ax.bar(x, rows["mean"], width, yerr=ci_error(rows), capsize=3, **style)


def shape_bias_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: shape bias per regime (95% CI), and accuracy on each cue alone."""
    experiments = sorted(summary["experiment"].unique())
    fig, axes = plt.subplots(
        len(experiments), 2, figsize=(11, 3.8 * len(experiments)), squeeze=False
    )
    for (ax_bias, ax_cues), experiment in zip(axes, experiments, strict=True):
        part = summary[summary["experiment"] == experiment]
        bias = part[(part["split"] == "shape") & (part["metric"] == "bias")].set_index("regime")
        regimes = list(bias.index)
        x = np.arange(len(regimes))
        _bars(ax_bias, bias, x, 0.6, color="#4477aa")
        ax_bias.axhline(0.5, color="grey", linestyle="--", linewidth=1)
        ax_bias.set_xticks(x, regimes, rotation=30, ha="right")
        ax_bias.set_ylim(0, 1.05)
        ax_bias.set_ylabel("shape bias (mean, 95% CI)")
        first = part.iloc[0]
        n = int(bias["n"].max())
        ax_bias.set_title(f"{first['dataset']} / {first['model']}: shape bias (n={n} seeds)")
        accuracy = part[part["metric"] == "accuracy"]
        width = 0.8 / len(CUE_SPLITS)
        colours = ["#4477aa", "#ee6677", "#ccbb44", "#228833"]
        for offset, (split, label) in enumerate(CUE_SPLITS.items()):
            rows = accuracy[accuracy["split"] == split].set_index("regime").reindex(regimes)
            position = x + (offset - (len(CUE_SPLITS) - 1) / 2) * width
            _bars(ax_cues, rows, position, width, label=label, color=colours[offset])
        ax_cues.set_xticks(x, regimes, rotation=30, ha="right")
        ax_cues.set_ylim(0, 1.25)
        ax_cues.set_yticks(np.linspace(0, 1, 6))
        ax_cues.set_ylabel("accuracy (mean, 95% CI)")
        ax_cues.set_title("accuracy when only one cue is present")
        ax_cues.legend(fontsize=7, ncol=4, loc="upper center")
    fig.suptitle(
        "Shape bias: share of cue-conflict images classified by shape (Geirhos et al.)",
        fontsize=11,
    )
    return fig


def _first_conv(state: dict[str, torch.Tensor]) -> np.ndarray:
    for value in state.values():
        if value.dim() == 4:  # the first convolution's (out, in, kh, kw) kernel
            return value.float().numpy()
    raise ValueError("the model has no convolution")


def filter_grid_figure(runs: pd.DataFrame) -> plt.Figure:
    """First-layer filters of each regime's lowest seed, one row per regime, each filter
    scaled to its own range (RGB when it sees three channels)."""
    first_seeds = runs.sort_values("seed").groupby(["experiment", "regime"]).head(1)
    rows = list(first_seeds.sort_values(["experiment", "regime"]).itertuples())
    kernels = [
        _first_conv(torch.load(Path(r.path).parent / "model.pt", map_location="cpu")) for r in rows
    ]
    n_filters = max(len(k) for k in kernels)
    fig, axes = plt.subplots(
        len(rows), n_filters, figsize=(0.55 * n_filters + 1.6, 0.62 * len(rows) + 0.6),
        squeeze=False,
    )  # fmt: skip
    for axes_row, row, kernel in zip(axes, rows, kernels, strict=True):
        for ax, position in zip(axes_row, range(n_filters), strict=True):
            ax.set_xticks([])
            ax.set_yticks([])
            if position >= len(kernel):
                ax.set_visible(False)
                continue
            image = kernel[position]
            image = (image - image.min()) / max(float(np.ptp(image)), 1e-12)
            ax.imshow(image.transpose(1, 2, 0) if len(image) == 3 else image[0], cmap="gray")
        axes_row[0].set_ylabel(row.regime, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle("First-layer filters (seed 0 of each regime)", fontsize=10)
    return fig


LAYER_KEY = re.compile(
    r"^layer(\d+)_(preferred_tv|preferred_high_freq|input_types|low_level_fraction)$"
)
PANELS = (
    ("preferred_tv", "preferred input: total variation"),
    ("preferred_high_freq", "preferred input: high-frequency energy"),
    ("input_types", "input types among top-20 inputs"),
    ("low_level_fraction", "share of texture/colour detectors"),
)


def neuron_simplicity_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment and measure: mean over channels per conv layer, one line per regime
    (95% CI over seeds)."""
    parts = metric_keys(summary).str.extract(LAYER_KEY)
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
