"""Shape bias per architecture on cue-conflict images (Pay et al. 2025's premise)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._architectures import architectures, points_per_architecture
from simbias.report.figures._common import legend_beside

CAPTION = """
Left: shape bias of each architecture (the share of cue-decided answers on cue-conflict
images that follow the shape, the complex cue, not the texture or colour), all trained
alike. Right: accuracy with the cues agreeing and with one cue alone, which tells which
cue each can use at all. Means with 95% t CIs over seeds, seeds as dots. Pay et al. 2025
build SpaRTAN against simplicity bias: it would show as a higher shape bias than the CNN's.
"""

ACCURACY = [("cues agree", "test", "accuracy"), ("shape only", "shape_only", "accuracy"),
            ("texture only", "texture_only", "accuracy"),
            ("colour only", "colour_only", "accuracy")]  # fmt: skip


@FIGURES.register("architecture_shape_bias", source="analysis:shape_bias", caption=CAPTION)
def architecture_shape_bias_figure(summary: pd.DataFrame) -> plt.Figure:
    """One row per dataset and regime: shape bias, then the single-cue accuracies."""
    panels = list(summary.groupby(["dataset", "regime"], sort=True))
    fig, axes = plt.subplots(len(panels), 2, figsize=(11, 3.8 * len(panels)), squeeze=False)
    for (ax_bias, ax_cues), ((dataset, regime), part) in zip(axes, panels, strict=True):
        models = architectures(part)
        points_per_architecture(ax_bias, part, [("shape bias", "shape", "bias")], models)
        ax_bias.axhline(0.5, color="grey", linestyle="--", linewidth=1)
        ax_bias.set_ylim(-0.03, 1.03)
        ax_bias.set_ylabel("shape bias (mean, 95% CI; dots: seeds)")
        ax_bias.set_title(f"{dataset}, {regime}: shape bias", fontsize=9)
        points_per_architecture(ax_cues, part, ACCURACY, models)
        ax_cues.set_ylim(-0.03, 1.03)
        ax_cues.set_ylabel("accuracy (mean, 95% CI)")
        ax_cues.set_title(f"{dataset}, {regime}: accuracy with one cue", fontsize=9)
        legend_beside(ax_cues)
    fig.suptitle("Shape or texture? Cue-conflict images per architecture", fontsize=10)
    return fig
