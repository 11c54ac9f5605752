"""First-layer convolution filters of each regime, side by side."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from simbias.analysis.neuron_simplicity import total_variation
from simbias.report.figures import FIGURES

CAPTION = """
First-layer convolution filters of each regime's first seed, each scaled to its own range
(RGB when it sees three channels): robust models' filters are expected to be smoother. All
regimes start from the same seed-0 weights, so a column is one filter across regimes and
keeps much of its initial pattern; compare rows within a column, and read each row's mean
normalised total variation (TV, lower is smoother, as the neuron_simplicity analysis scores
filters).
"""


def _first_conv(state: dict[str, torch.Tensor]) -> np.ndarray:
    for value in state.values():
        if value.dim() == 4:  # the first convolution's (out, in, kh, kw) kernel
            return value.float().numpy()
    raise ValueError("the model has no convolution")


@FIGURES.register("filter_grid", source="final", caption=CAPTION)
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
        tv = float(total_variation(torch.from_numpy(kernel)).mean())
        axes_row[0].set_ylabel(f"{row.regime}\nTV {tv:.2f}", rotation=0, ha="right",
                               va="center", fontsize=8)  # fmt: skip
    fig.suptitle(
        "First-layer filters (seed 0 of each regime; TV: mean normalised total variation)\n"
        "every regime starts from the same weights: compare rows within a column",
        fontsize=10,
    )
    return fig
