"""Simplicity bias: accuracy on the test, S-randomised and S^c-randomised sets."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._common import SPLIT_COLOURS, panel_grid
from simbias.report.tables import SPLIT_LABELS

CAPTION = """
Accuracy on the test set, the S-randomised set (simple feature permuted across examples) and
the S^c-randomised set (complex features permuted), per experiment and regime; bars are means
over seeds with 95% t intervals; the dashed line is chance. Extreme
simplicity bias (Shah et al. 2020) shows as S^c-rand at test accuracy and S-rand at chance.
"""


@FIGURES.register("sb_accuracy", source="analysis:sb_metrics", caption=CAPTION)
def sb_accuracy_figure(summary: pd.DataFrame, metric: str = "accuracy") -> plt.Figure:
    """Per experiment: test / S-rand / S^c-rand accuracy for each regime, 95% CI bars."""
    chosen = summary[summary["metric"] == metric]
    experiments = sorted(chosen["experiment"].unique())
    fig, axes = panel_grid(len(experiments))
    for ax, experiment in zip(axes, experiments, strict=False):
        part = chosen[chosen["experiment"] == experiment]
        regimes = sorted(part["regime"].unique())
        splits = [s for s in SPLIT_LABELS if s in set(part["split"])]
        bar_width = 0.8 / len(splits)
        for offset, split in enumerate(splits):
            rows = part[part["split"] == split].set_index("regime").loc[regimes]
            x = np.arange(len(regimes)) + (offset - (len(splits) - 1) / 2) * bar_width
            ax.bar(
                x,
                rows["mean"],
                bar_width,
                yerr=ci_error(rows),
                capsize=3,
                label=SPLIT_LABELS[split],
                color=SPLIT_COLOURS[split],
            )
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance (2 classes)")
        first = part.iloc[0]
        ax.set_title(
            f"{experiment}: {first['dataset']} / {first['model']} (n={int(part['n'].max())})",
            fontsize=9,
        )
        # Many regimes: slanted names, so that neighbours do not overprint each other.
        slant = {"rotation": 35, "ha": "right"} if len(regimes) > 3 else {}
        ax.set_xticks(np.arange(len(regimes)), regimes, **slant)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(f"{metric} (mean, 95% CI)")
        ax.set_xlabel("regime")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(
        "Simplicity bias: accuracy when the simple (S) or complex (S^c) features are randomised",
        fontsize=11,
    )
    return fig
