"""Shape bias per regime, and accuracy on each cue alone (Chen, Agarwal, Nguyen 2020)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES

CAPTION = """
Shape bias (Geirhos et al. 2019): among cue-conflict images (shape of one class, texture of
another) classified as either their shape or their texture class, the share decided by
shape, per regime; right, accuracy when only one cue is present. Means and 95% t
CIs over seeds (Chen, Agarwal, Nguyen 2020: adversarially trained CNNs are shape-biased).
"""

CUE_SPLITS = {
    "shape_only": "shape only",
    "texture_only": "texture only",
    "colour_only": "colour only",
    "test": "cues agree",
}


def _bars(ax, rows: pd.DataFrame, x: np.ndarray, width: float, **style) -> None:
    ax.bar(x, rows["mean"], width, yerr=ci_error(rows), capsize=3, **style)


@FIGURES.register("shape_bias", source="analysis:shape_bias", caption=CAPTION)
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
        ax_bias.set_title(f"{experiment} ({first['dataset']} / {first['model']})\n"
                          f"shape bias (n={n} seeds)", fontsize=9)  # fmt: skip
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
