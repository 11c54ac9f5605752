"""In-context regression (Panwar et al. 2024): the simplicity of the fit and the in-context
error against the number of examples, per pretraining distribution."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.claims.icl_bayesian_prism import PROBE_EXAMPLES, PROBE_FREQUENCY
from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._common import SERIES_COLOURS, figure_legend

CAPTION = f"""
Top: the share of the DFT power of each predictor's fit on a 40-point grid (Panwar et al.'s
fourier_series_mixture_inductive_bias.py) above the true frequency, for functions of maximum
frequency {PROBE_FREQUENCY} of the Fourier mixture, against the number of in-context examples;
the claims' probe ({PROBE_EXAMPLES[0]} to {PROBE_EXAMPLES[-1]} examples) shaded. Bottom: squared
error on held-out prompts of the pretraining distribution against the number of examples
before the point predicted. One column per experiment (pretraining distribution); the trained
transformer, the same network untrained, the Bayes-optimal predictor of the prompts and
least squares on every frequency up to N (ridge): mean over seeds with 95% t intervals.
"""

#: Predictors in drawing order, with their labels and colours.
PREDICTORS = {
    "trained": ("transformer", SERIES_COLOURS[0]),
    "untrained": ("untrained transformer", SERIES_COLOURS[6]),
    "bayes": ("Bayes-optimal", SERIES_COLOURS[2]),
    "ridge": ("ridge, all N frequencies", SERIES_COLOURS[1]),
}


def curve(part: pd.DataFrame, predictor: str, pattern: str) -> pd.DataFrame:
    """The rows of ``predictor`` whose metric matches ``pattern`` (one group: the k), by k."""
    rows = part[part["split"] == predictor].copy()
    rows["k"] = [
        int(m.group(1)) if m else -1 for m in (re.fullmatch(pattern, v) for v in rows["metric"])
    ]
    return rows[rows["k"] >= 0].sort_values("k")


def _draw(ax: plt.Axes, part: pd.DataFrame, pattern: str, offsets: bool = True) -> None:
    for index, (predictor, (label, colour)) in enumerate(PREDICTORS.items()):
        rows = curve(part, predictor, pattern)
        if rows.empty:
            continue
        # Small horizontal offsets keep the error bars of coinciding curves apart.
        shift = (index - 1.5) * 0.06 if offsets else 0.0
        ax.errorbar(rows["k"] + shift, rows["mean"], yerr=ci_error(rows), color=colour,
                    marker="o", markersize=3, linewidth=1.2, capsize=2, label=label)  # fmt: skip
    ax.grid(color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)


@FIGURES.register("icl_simplicity", source="analysis:icl_regression", caption=CAPTION)
def icl_simplicity_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: power share above the true frequency vs k; error vs k."""
    experiments = sorted(summary["experiment"].unique())
    fig, axes = plt.subplots(2, len(experiments), figsize=(4.6 * len(experiments), 7.0),
                             squeeze=False)  # fmt: skip
    for column, experiment in enumerate(experiments):
        part = summary[summary["experiment"] == experiment]
        first = part.iloc[0]
        top, bottom = axes[0, column], axes[1, column]
        _draw(top, part, rf"m{PROBE_FREQUENCY}k(\d+)power")
        largest = curve(part, "bayes", rf"m{PROBE_FREQUENCY}k(\d+)power")["k"].max()
        top.axvspan(PROBE_EXAMPLES[0] - 0.5, min(PROBE_EXAMPLES[-1], largest) + 0.5,
                    color="0.9", zorder=0)  # fmt: skip
        top.set_ylim(-0.03, 1.0)
        top.set_xlabel("in-context examples k")
        top.set_ylabel(f"power share above frequency {PROBE_FREQUENCY}")
        top.set_title(f"{experiment}\npretrained on {first['dataset']} ({first['model']})",
                      fontsize=10)  # fmt: skip
        _draw(bottom, part, r"k(\d+)error")
        bottom.set_yscale("symlog", linthresh=1e-3)
        bottom.set_ylim(bottom=0)
        bottom.set_xlabel("in-context examples before the point")
        bottom.set_ylabel("squared error (held-out prompts)")
        n_seeds = int(part["n"].max())
        bottom.set_title(f"error on {first['dataset']} prompts (n={n_seeds} seeds)", fontsize=10)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure_legend(fig, handles, labels, ncol=len(labels))
    return fig
