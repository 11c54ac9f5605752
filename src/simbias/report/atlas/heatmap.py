"""atlas_heatmap: per dataset, the headline metrics' means by model/regime, each column
coloured from its own minimum to its maximum within that dataset."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors

from simbias.report.atlas.comparison import NOISE_MARK, REFERENCE_MARK
from simbias.report.atlas.table import (
    count,
    measured_metrics,
    metric_label,
    ordered_rows,
    significant,
)
from simbias.report.figures._common import grid_columns

CMAP = "viridis"
MISSING_COLOUR = "#d9d9d9"
#: Inches per cell and around a panel (title, rotated column labels, row labels).
CELL_WIDTH, CELL_HEIGHT = 0.62, 0.3
PANEL_MARGIN_HEIGHT, CHAR_WIDTH, MIN_WIDTH = 1.9, 0.065, 7.5


def normalised(means: np.ndarray) -> np.ndarray:
    """Each column min-max scaled to [0, 1] over its finite entries; a constant column is
    0.5 (mid-colour), a missing entry stays NaN."""
    scaled = np.full_like(means, np.nan)
    for j in range(means.shape[1]):
        column = means[:, j]
        finite = np.isfinite(column)
        if not finite.any():
            continue
        low, high = column[finite].min(), column[finite].max()
        scaled[finite, j] = 0.5 if high == low else (column[finite] - low) / (high - low)
    return scaled


def is_true(flag: bool | None) -> bool:
    """A within-noise flag as a bool; a cell that was not compared (None, NaN) is False."""
    return bool(pd.notna(flag) and flag)


def panel_matrix(
    part: pd.DataFrame,
    within_noise: pd.Series,
    metrics: list[dict[str, str]],
    reference: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, list[str], list[dict[str, str]]]:
    """One dataset's means (rows model/regime, columns its measured headline metrics), the
    cells within noise of the reference (``within_noise``: by group, analysis, metric), the
    row labels and the columns' metrics."""
    present = measured_metrics(part, metrics)
    rows = ordered_rows(part, reference)
    means = part.set_index(["group", "analysis", "metric"])["mean"]
    cells = [[(group, m["analysis"], m["key"]) for m in present] for _, _, group in rows]
    matrix = np.array([[means.get(c, np.nan) for c in row] for row in cells], dtype=float)
    noise = np.array([[is_true(within_noise.get(c)) for c in row] for row in cells], dtype=bool)
    labels = [
        f"{model} / {regime}{' ' + REFERENCE_MARK if reference.get(model) == regime else ''}"
        for model, regime, _ in rows
    ]
    return matrix, noise, labels, present


def draw_panel(
    ax: plt.Axes, matrix: np.ndarray, noise: np.ndarray, rows: list[str], columns: list[str]
) -> None:
    cmap = plt.get_cmap(CMAP).with_extremes(bad=MISSING_COLOUR)
    scaled = normalised(matrix)
    ax.imshow(np.ma.masked_invalid(scaled), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for (i, j), mean in np.ndenumerate(matrix):
        if np.isfinite(mean):
            red, green, blue, _ = cmap(scaled[i, j])
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            text = f"{significant(mean)}{' ' + NOISE_MARK if noise[i, j] else ''}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
        else:
            ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="0.35")
    ax.set_xticks(np.arange(len(columns)), columns, rotation=40, ha="right", fontsize=8,
                  rotation_mode="anchor")  # fmt: skip
    ax.set_yticks(np.arange(len(rows)), rows, fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def heatmap_figure(
    summary: pd.DataFrame,
    comparisons: pd.DataFrame,
    metrics: list[dict[str, str]],
    references: dict[tuple, str],
) -> plt.Figure:
    """One panel per dataset with a headline metric (``summary``: headline_summary's rows;
    ``comparisons``: compare_to_reference's; ``references``: (dataset, model) -> reference
    regime), a shared colour bar under them."""
    datasets = sorted(summary["dataset"].unique())
    if not datasets:
        fig, ax = plt.subplots(figsize=(5, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "no run measured any headline metric", ha="center", va="center")
        return fig
    panels = []
    for dataset in datasets:
        part = summary[summary["dataset"] == dataset]
        reference = {m: r for (d, m), r in references.items() if d == dataset}
        low, high = int(part["n"].min()), int(part["n"].max())
        seeds = f"{low}" if low == high else f"{low}–{high}"
        title = f"{dataset}: {count(part['group'].nunique(), 'group')}, n = {seeds} seeds per cell"
        noise = comparisons[comparisons["dataset"] == dataset]
        noise = noise.set_index(["group", "analysis", "metric"])["within_noise"]
        panels.append((title, *panel_matrix(part, noise, metrics, reference)))
    widest = max(matrix.shape[1] for _, matrix, *_ in panels)
    columns = grid_columns(len(panels)) if widest <= 5 else min(2, len(panels))
    grid_rows = int(np.ceil(len(panels) / columns))
    label_width = CHAR_WIDTH * max(len(label) for *_, labels, _ in panels for label in labels)
    heights = [
        PANEL_MARGIN_HEIGHT
        + CELL_HEIGHT * max(p[1].shape[0] for p in panels[r * columns : (r + 1) * columns])
        for r in range(grid_rows)
    ]
    # At least MIN_WIDTH wide: the colour bar (a third of the width) keeps its labels apart.
    width = max(MIN_WIDTH, columns * (label_width + widest * CELL_WIDTH + 0.5))
    fig = plt.figure(figsize=(width, sum(heights) + 0.9))
    grid = fig.add_gridspec(grid_rows + 1, columns, height_ratios=[*heights, 0.35])
    for index, (title, matrix, noise, labels, present) in enumerate(panels):
        ax = fig.add_subplot(grid[index // columns, index % columns])
        draw_panel(ax, matrix, noise, labels, [metric_label(m) for m in present])
        ax.set_title(title, fontsize=9)
    bar_ax = fig.add_subplot(grid[-1, :].subgridspec(1, 3)[0, 1])
    bar = fig.colorbar(
        plt.cm.ScalarMappable(mcolors.Normalize(0, 1), CMAP), cax=bar_ax, orientation="horizontal"
    )
    bar.set_ticks([0, 0.5, 1], labels=["min", "mid (or constant)", "max"], fontsize=8)
    bar.set_label(
        "per-metric min→max within the task; mean over seeds printed; – not measured;\n"
        f"{NOISE_MARK} within noise of the {REFERENCE_MARK} regime (95% interval of the "
        "difference includes 0)",
        fontsize=8,
    )
    fig.suptitle(
        "Atlas: headline metrics per task (mean over seeds)", fontsize=11, y=1.0, va="bottom"
    )
    return fig
