"""Drawing helpers shared by the figures: the panel grid, the split colours, legends kept
off the data, panel titles that name the experiment, categories drawn side by side, and
saving a figure as PNG and PDF."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simbias.io import write_atomic  # noqa: E402
from simbias.report.error_bars import ci_error  # noqa: E402

SPLIT_COLOURS = {"test": "#4477aa", "s_rand": "#ee6677", "sc_rand": "#228833"}
#: Paul Tol's bright scheme: few series, told apart also in print.
SERIES_COLOURS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")


def grid_columns(n_panels: int) -> int:
    """Columns for ``n_panels``: all in a row up to three, else two or three a row, whichever
    leaves fewer empty slots (three on a tie)."""
    if n_panels <= 3:
        return max(1, n_panels)
    return min((3, 2), key=lambda c: (-n_panels) % c)


def panel_grid(n_panels: int, width: float = 4.2, height: float = 3.4, columns: int | None = None):
    """``columns`` panels a row (:func:`grid_columns` by default), the unused ones hidden:
    the figure and its axes, flat."""
    columns = max(1, min(n_panels, columns or grid_columns(n_panels)))
    rows = int(np.ceil(n_panels / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, axes.flat


def panel_title(experiment: str, part: pd.DataFrame, extra: str = "") -> str:
    """Two lines: the experiment (which tells panels of one dataset apart), then its
    dataset / model and ``extra``."""
    first = part.iloc[0]
    detail = f"{first['dataset']} / {first['model']}"
    return f"{experiment}\n{detail}{'  ' + extra if extra else ''}"


def figure_legend(fig: plt.Figure, handles: list, labels: list, ncol: int | None = None) -> None:
    """One legend for the whole figure, under its panels, never on the data (save_figure's
    tight bounding box keeps it in the file)."""
    unique = dict(zip(labels, handles, strict=True))  # panels repeat their series
    ncol = ncol or min(len(unique), 5)
    fig.legend(list(unique.values()), list(unique), loc="upper center", ncol=ncol,
               bbox_to_anchor=(0.5, 0.0), fontsize=8, frameon=False)  # fmt: skip


def legend_beside(ax: plt.Axes, handles=None, labels=None, **style) -> None:
    """The panel's legend to the right of its axes, off the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7,
              borderaxespad=0, **style)  # fmt: skip


def mapping_scale_order(experiment: str) -> tuple[float, str]:
    """No mapping first, then by the mapping scale that ends the name, "p" for the decimal
    point (fourier_gauss_10 after _1, sdf_gauss_0p5 before _5)."""
    number = re.search(r"(\d+(?:p\d+)?)$", experiment)
    return (float(number.group(1).replace("p", ".")) if number else -1.0, experiment)


def dodged_points(
    ax: plt.Axes,
    rows: pd.DataFrame,
    categories: list,
    x: str,
    series: str,
    labels=None,
    values: list | None = None,
) -> None:
    """Mean and 95% CI of ``rows`` at each of ``categories`` (column ``x``), one colour per
    value of ``series`` (``values``, all of them by default: pass the same list to every
    panel that shares the colours), side by side so that their bars never overprint."""
    values = sorted(rows[series].unique()) if values is None else values
    width = 0.7 / max(1, len(values))
    for index, value in enumerate(values):
        chosen = rows[rows[series] == value].set_index(x).reindex(categories)
        chosen = chosen.dropna(subset=["mean"])
        if chosen.empty:
            continue
        position = np.array([categories.index(c) for c in chosen.index], dtype=float)
        position += (index - (len(values) - 1) / 2) * width
        label = labels(value) if labels else str(value)
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        ax.errorbar(position, chosen["mean"], yerr=ci_error(chosen), fmt="o", markersize=4,
                    capsize=2, color=colour, label=label)  # fmt: skip
    ax.set_xticks(np.arange(len(categories)), categories, rotation=40, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(categories) - 0.4)
    ax.grid(axis="y", color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)


def save_figure(fig: plt.Figure, png_path: str | Path, pdf_path: str | Path) -> None:
    fig.tight_layout()
    for path, fmt in ((png_path, "png"), (pdf_path, "pdf")):
        # A tight bounding box keeps the legends placed beside or under the panels.
        write_atomic(
            path,
            lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight"),
        )
    plt.close(fig)
