"""Chain-of-thought length (Wu et al. 2025): final-answer accuracy against the number of CoT
steps, one curve per task difficulty T, one panel per model size (their Figure 2's layout)."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FormatStrFormatter

from simbias.data.cot_tasks import MODULUS
from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._common import SERIES_COLOURS, figure_legend

CAPTION = """
Share of held-out questions answered right against the length of the chain of thought, the
number of steps ceil(T / k) that the step-size token k asks for (Wu et al.'s synthetic
arithmetic): one curve per number of operators T, one panel per experiment (model size),
mean over seeds with 95% t intervals; the untrained network (grey, largest T) is the control.
The optimum of each curve is circled. Dotted: chance, a guessed answer (1 / modulus); a
curve near it says nothing about CoT length (the model has not learned the task).
"""

PATTERN = r"T(\d+)k(\d+)accuracy"


def accuracy_rows(part: pd.DataFrame, predictor: str) -> pd.DataFrame:
    """The predictor's accuracy rows with their T, k and number of steps."""
    rows = part[part["split"] == predictor].copy()
    found = [re.fullmatch(PATTERN, v) for v in rows["metric"]]
    rows = rows[[m is not None for m in found]]
    rows["T"] = [int(m.group(1)) for m in found if m]
    rows["k"] = [int(m.group(2)) for m in found if m]
    rows["steps"] = [math.ceil(t / k) for t, k in zip(rows["T"], rows["k"], strict=True)]
    return rows.sort_values(["T", "steps"])


@FIGURES.register("cot_length", source="analysis:cot_length", caption=CAPTION)
def cot_length_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: accuracy vs number of CoT steps, a curve per T."""
    experiments = sorted(summary["experiment"].unique())
    fig, axes = plt.subplots(1, len(experiments), figsize=(4.8 * len(experiments), 3.8),
                             squeeze=False, sharey=True)  # fmt: skip
    for ax, experiment in zip(axes[0], experiments, strict=True):
        part = summary[summary["experiment"] == experiment]
        trained = accuracy_rows(part, "trained")
        for index, (t, rows) in enumerate(trained.groupby("T", sort=True)):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            ax.errorbar(rows["steps"], rows["mean"], yerr=ci_error(rows), color=colour,
                        marker="o", markersize=3, linewidth=1.2, capsize=2,
                        label=f"T = {t}")  # fmt: skip
            best = rows.loc[rows["mean"].idxmax()]
            ax.plot(best["steps"], best["mean"], "o", markersize=9, markerfacecolor="none",
                    markeredgecolor=colour)  # fmt: skip
        untrained = accuracy_rows(part, "untrained")
        if not untrained.empty:
            rows = untrained[untrained["T"] == untrained["T"].max()]
            ax.errorbar(rows["steps"], rows["mean"], yerr=ci_error(rows), color="0.6",
                        linestyle="--", marker=".", linewidth=1.0, capsize=2,
                        label="untrained (largest T)")  # fmt: skip
        ax.axhline(1 / MODULUS, color="0.3", linestyle=":", linewidth=1.0,
                   label=f"chance (1/{MODULUS})")  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))  # 1, 2, 4 steps: not 2^0 or 1.0
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("CoT length (number of steps, ceil(T / k))")
        ax.grid(color="0.92", linewidth=0.8)
        ax.set_axisbelow(True)
        first = part.iloc[0]
        ax.set_title(f"{experiment}\n{first['model']} (n={int(part['n'].max())} seeds)",
                     fontsize=10)  # fmt: skip
    axes[0, 0].set_ylabel("final-answer accuracy")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure_legend(fig, handles, labels, ncol=len(labels))
    return fig
