"""Feature learning: filter alignment with the fast and the slow feature over epochs, and
the fast-minus-slow gap whose early part the USEFUL paper compares between GD and SAM."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.report.claims.useful import SamNarrowsFeatureGap
from simbias.report.figures import FIGURES

CAPTION = """
Left: alignment of the two-layer CNN's filters with the fast- and the slow-learnable feature
over epochs (log scale), GD vs SAM. Right: the gap align_fast - align_slow, the shaded band
the early epochs over which sam_narrows_feature_gap averages it. Mean and 95% CI over seeds,
one row per experiment (the no-slow-feature control, if drawn, is its own row)
(Nguyen et al. 2024, USEFUL).
"""


def _band(ax: plt.Axes, stats: pd.DataFrame, colour: str, style: str, label: str) -> None:
    ax.plot(stats["epoch"], stats["mean"], style, color=colour, label=label)
    ax.fill_between(stats["epoch"], stats["ci_low"], stats["ci_high"], color=colour, alpha=0.15)


@FIGURES.register("feature_learning", source="history", caption=CAPTION)
def feature_learning_figure(history: pd.DataFrame) -> plt.Figure:
    """Per experiment: the two alignments, and their gap, over epochs."""
    experiments = sorted(history["experiment"].unique())
    fig, axes = plt.subplots(
        len(experiments), 2, figsize=(10.5, 3.8 * len(experiments)), squeeze=False
    )
    for (ax, gap_ax), experiment in zip(axes, experiments, strict=True):
        part = history[history["experiment"] == experiment]
        part = part.assign(gap=part["align_fast"] - part["align_slow"])
        for index, (regime, runs) in enumerate(part.groupby("regime", sort=True)):
            colour = f"C{index}"
            for column, style in (("align_fast", "-"), ("align_slow", "--")):
                label = f"{regime}: {column.removeprefix('align_')} feature"
                _band(ax, summarise(runs, ["epoch"], value=column), colour, style, label)
            _band(gap_ax, summarise(runs, ["epoch"], value="gap"), colour, "-", regime)
        first = part.iloc[0]
        title = f"{experiment}: {first['dataset']} (n={part['seed'].nunique()} seeds)"
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_yscale("log")  # the slow feature grows from the init scale, far below the fast
        ax.set_ylabel("max_r <w_r, v> (log)")
        ax.legend(fontsize=7, loc="best")
        early = SamNarrowsFeatureGap.early_fraction * part["epoch"].max()
        gap_ax.axvspan(0, early, color="0.85", label=f"early (first {early:.0f} epochs)")
        gap_ax.set_title(f"{experiment}: fast - slow alignment", fontsize=10)
        gap_ax.set_xlabel("epoch")
        gap_ax.set_ylabel("align_fast - align_slow")
        gap_ax.legend(fontsize=7, loc="best")
    fig.suptitle("Feature learning: solid = fast feature, dashed = slow feature", fontsize=11)
    return fig
