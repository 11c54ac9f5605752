"""Fourier features (Tancik et al. 2020): an image fitted from raw coordinates and behind
Gaussian mappings of several scales, PSNR on the training and on the held-out pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points, legend_beside, mapping_scale_order

CAPTION = """
Tancik et al.'s image regression: PSNR (dB) of the network's fit on the pixels it trained on
(every second pixel in both directions) and on the other three quarters (held out), per
experiment (no mapping, then Gaussian Fourier features of rising scale); mean over seeds
with 95% t intervals. A mapping of the right scale lifts the held-out PSNR far above no
mapping; too large a scale fits the training pixels and not the others (overfitting).
"""

LABELS = {"train": "training pixels", "test": "held-out pixels"}


@FIGURES.register("fourier_features", source="analysis:image_fit", caption=CAPTION)
def fourier_features_figure(summary: pd.DataFrame) -> plt.Figure:
    """Train and held-out PSNR per experiment, mean and 95% CI."""
    rows = summary[(summary["metric"] == "psnr") & summary["split"].isin(list(LABELS))]
    experiments = sorted(rows["experiment"].unique(), key=mapping_scale_order)
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    seeds = int(rows["n"].min()) if not rows.empty else 0
    dodged_points(ax, rows, experiments, x="experiment", series="split",
                  labels=lambda split: LABELS[split], values=list(LABELS))  # fmt: skip
    ax.set_ylabel("PSNR (dB)")
    ax.set_title(f"{rows['dataset'].iloc[0]}: coordinate MLP fits (n={seeds} seeds)", fontsize=10)
    legend_beside(ax)
    return fig
