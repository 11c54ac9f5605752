"""Drawing helpers shared by the figures: the panel grid, the split colours, and saving a
figure as PNG and PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simbias.io import write_atomic  # noqa: E402

SPLIT_COLOURS = {"test": "#4477aa", "s_rand": "#ee6677", "sc_rand": "#228833"}


def panel_grid(n_panels: int, width: float = 4.2, height: float = 3.4):
    """Up to three panels a row, the unused ones hidden: the figure and its axes, flat."""
    columns = min(n_panels, 3)
    rows = int(np.ceil(n_panels / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, axes.flat


def save_figure(fig: plt.Figure, png_path: str | Path, pdf_path: str | Path) -> None:
    fig.tight_layout()
    for path, fmt in ((png_path, "png"), (pdf_path, "pdf")):
        write_atomic(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=150))
    plt.close(fig)
