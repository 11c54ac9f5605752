"""Simplicity bias per architecture on dominoes (Pay et al. 2025's premise): the AUC on the
test set and with the simple or the complex feature shuffled."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._architectures import architectures, points_per_architecture
from simbias.report.figures._common import figure_legend, panel_grid

CAPTION = """
ROC AUC (logit margin) of each architecture on the test set, the S-randomised set (simple
feature shuffled: what is left is the network's use of the complex feature) and the
S^c-randomised set (complex feature shuffled), all trained alike; means with 95% t CIs
over seeds, seeds as dots. Pay et al. 2025 build SpaRTAN against simplicity bias: it would
show as a higher S-randomised AUC than the CNN's.
"""

SERIES = [("test", "test", "auc"), ("S-randomised", "s_rand", "auc"),
          ("S^c-randomised", "sc_rand", "auc")]  # fmt: skip


@FIGURES.register("architecture_sb", source="analysis:sb_metrics", caption=CAPTION)
def architecture_sb_figure(summary: pd.DataFrame) -> plt.Figure:
    """One panel per dataset and regime: the three AUCs of every architecture."""
    panels = list(summary.groupby(["dataset", "regime"], sort=True))
    fig, axes = panel_grid(len(panels), width=5.2, height=3.8)
    for ax, ((dataset, regime), part) in zip(axes, panels, strict=False):
        points_per_architecture(ax, part, SERIES, architectures(part))
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance")
        ax.set_ylim(0.3, 1.03)
        ax.set_ylabel("AUC (mean, 95% CI; dots: seeds)")
        ax.set_title(f"{dataset}, {regime}", fontsize=9)
    figure_legend(fig, *axes[0].get_legend_handles_labels(), ncol=4)
    fig.suptitle("Which feature does each architecture use? (S-rand AUC: the complex one)",
                 fontsize=10)  # fmt: skip
    return fig
