"""Simplicity bias: accuracy on the test, S-randomised and S^c-randomised sets."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._common import SPLIT_COLOURS, figure_legend, panel_grid, panel_title
from simbias.report.tables import SPLIT_LABELS

CAPTION = """
Accuracy on the test set, the S-randomised set (simple feature permuted across examples) and
the S^c-randomised set (complex features permuted), per experiment and regime; bars are means
over seeds with 95% t intervals; the dashed line is chance. Extreme
simplicity bias (Shah et al. 2020) shows as S^c-rand at test accuracy and S-rand at chance.
"""


@FIGURES.register("sb_accuracy", source="analysis:sb_metrics", caption=CAPTION)
def sb_accuracy_figure(summary: pd.DataFrame, metric: str = "accuracy") -> plt.Figure:
    """Test / S-rand / S^c-rand accuracy, 95% CI bars: one panel per experiment of several
    regimes (x: regime), and one panel for all experiments of a single regime (x: the
    experiment, so that each sits beside its control)."""
    chosen = summary[summary["metric"] == metric]
    regime_counts = chosen.groupby("experiment")["regime"].nunique()
    singles = sorted(regime_counts[regime_counts == 1].index)
    panels = [(e, chosen[chosen["experiment"] == e], "regime")
              for e in sorted(regime_counts[regime_counts > 1].index)]  # fmt: skip
    if singles:
        single = chosen[chosen["experiment"].isin(singles)]
        panels.insert(0, (None, single, "experiment"))
    width = max(4.6, 0.5 * max(part[x].nunique() for _, part, x in panels) + 1.2)
    fig, axes = panel_grid(len(panels), width=width, height=3.8)
    for ax, (experiment, part, x) in zip(axes, panels, strict=False):
        names = sorted(part[x].unique())
        splits = [s for s in SPLIT_LABELS if s in set(part["split"])]
        bar_width = 0.8 / len(splits)
        for offset, split in enumerate(splits):
            rows = part[part["split"] == split].set_index(x).reindex(names)
            position = np.arange(len(names)) + (offset - (len(splits) - 1) / 2) * bar_width
            ax.bar(position, rows["mean"], bar_width, yerr=ci_error(rows), capsize=2,
                   label=SPLIT_LABELS[split], color=SPLIT_COLOURS[split])  # fmt: skip
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance (2 classes)")
        n = int(part["n"].max())
        if experiment is None:
            regime = part["regime"].iloc[0]
            ax.set_title(f"single-regime experiments ({regime}, n={n})", fontsize=9)
            labels = [f"{e}\n({_dataset(part, e)})" for e in names]
        else:
            ax.set_title(panel_title(experiment, part, f"(n={n})"), fontsize=9)
            labels = names
        ax.set_xticks(np.arange(len(names)), labels, rotation=40, ha="right", fontsize=7)
        ax.set_xlim(-0.6, len(names) - 0.4)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(f"{metric} (mean, 95% CI)")
    figure_legend(fig, *axes[0].get_legend_handles_labels(), ncol=4)
    fig.suptitle(
        "Simplicity bias: accuracy when the simple (S) or complex (S^c) features are randomised",
        fontsize=11,
    )
    return fig


def _dataset(part: pd.DataFrame, experiment: str) -> str:
    first = part[part["experiment"] == experiment].iloc[0]
    return f"{first['dataset']} / {first['model']}"
