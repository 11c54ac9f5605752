"""Drawing shared by the architecture comparisons (Pay et al. 2025's premise): one measure
per architecture, mean with 95% t interval and every seed beside it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.claims._base import seed_values
from simbias.report.error_bars import ci_error
from simbias.report.figures._common import SERIES_COLOURS


def architectures(part: pd.DataFrame) -> list[str]:
    """The models of ``part``, in name order: the x-axis of a panel."""
    return sorted(part["model"].unique())


def points_per_architecture(
    ax: plt.Axes, part: pd.DataFrame, series: list[tuple[str, str, str]], models: list[str]
) -> None:
    """For each (label, split, metric) of ``series``, one colour: the mean and 95% CI of
    every model (x), side by side, the seed values as small dots beside each point."""
    width = 0.7 / max(1, len(series))
    for index, (label, split, metric) in enumerate(series):
        rows = part[(part["split"] == split) & (part["metric"] == metric)]
        rows = rows.set_index("model").reindex(models).dropna(subset=["mean"])
        if rows.empty:
            continue
        x = np.array([models.index(m) for m in rows.index], dtype=float)
        x += (index - (len(series) - 1) / 2) * width
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        n = int(rows["n"].max())
        ax.errorbar(x, rows["mean"], yerr=ci_error(rows), fmt="o", markersize=5, capsize=3,
                    color=colour, label=f"{label} (n={n})")  # fmt: skip
        for position, (_, row) in zip(x, rows.iterrows(), strict=True):
            seeds = seed_values(row)
            ax.plot(np.full(len(seeds), position + width * 0.3), seeds, ".", markersize=3,
                    color=colour, alpha=0.6)  # fmt: skip
    ax.set_xticks(np.arange(len(models)), models, fontsize=8)
    ax.set_xlim(-0.6, len(models) - 0.4)
    ax.grid(axis="y", color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)
