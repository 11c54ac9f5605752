"""A signed distance field with thin parts (thin_shape_sdf) and its fits by a coordinate
network from raw coordinates and behind Gaussian mappings of several scales, zero level
sets drawn: where a fit loses the thin parts."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.sdf_fit import predict_splits
from simbias.plan import layout
from simbias.report.figures import FIGURES

CAPTION = """
DebSDF's thin structures in 2-d: the exact signed distance field of a thick disc beside a
thin ring and two thin bars (left), and each experiment's fit (first seed) on the whole
grid, three quarters of it held out. Black lines are zero level sets (the shape's
boundary), dashed grey the target's. Without a mapping the network smooths the thin parts
away; a mapping of the right scale keeps them; too large a scale fits the training points
and not the others. The errors over all seeds are in thin_sdf_fit.
"""


def data_dir_of(final_path: str, dataset: str) -> Path:
    """The dataset directory beside a run's results tree (``final_path`` is a run's
    final.json, under ``layout.RUNS_ROOT``)."""
    root = str(final_path).rsplit(layout.RUNS_ROOT, 1)[0]
    return Path(root + layout.DATA.format(dataset=dataset))


def _grid(data_dir: Path, values: dict[str, np.ndarray]) -> np.ndarray:
    """Both splits' points back on their grid, each with its value in ``values[split]``."""
    from simbias.data.store import load_split

    parts = {split: load_split(data_dir, split) for split in ("train", "test")}
    size = max(int(part.attributes["row"].max()) for part in parts.values()) + 1
    grid = np.zeros((size, size))
    for split, part in parts.items():
        grid[part.attributes["row"], part.attributes["col"]] = np.ravel(values[split])
    return grid


def _scale(run: pd.Series) -> float:
    """The run's mapping scale, 0 without a mapping (the panels' order)."""
    model = run["final"]["config"]["model"]
    return 0.0 if model.get("mapping", "none") == "none" else float(model["scale"])


@FIGURES.register("thin_sdf_fields", source="final", caption=CAPTION)
def thin_sdf_fields_figure(runs: pd.DataFrame) -> plt.Figure:
    """The target SDF and each experiment's first-seed fit, zero level sets drawn, one
    colour scale."""
    firsts = runs.sort_values("seed").groupby("experiment").head(1)
    firsts = firsts.assign(scale=firsts.apply(_scale, axis=1)).sort_values("scale")
    data_dir = data_dir_of(firsts["path"].iloc[0], firsts["dataset"].iloc[0])
    fits, targets = [], {}
    for path in firsts["path"]:  # the targets are the dataset's, the same for every run
        fitted, targets, _ = predict_splits(Path(path).parent, data_dir, "cpu")
        fits.append(_grid(data_dir, fitted))
    target = _grid(data_dir, targets)
    mappings = [f"scale {s:g}" if s else "no mapping" for s in firsts["scale"]]
    titles = ["target SDF"] + [
        f"{e}\n({m})" for e, m in zip(firsts["experiment"], mappings, strict=True)
    ]

    # A narrow last column holds the colour scale, off the panels.
    fig, (*axes, scale) = plt.subplots(
        1, len(titles) + 1, figsize=(2.3 * len(titles) + 0.8, 2.8),
        gridspec_kw={"width_ratios": [1.0] * len(titles) + [0.06]},
    )  # fmt: skip
    limit = float(np.abs(target).max())
    square = (-1, 1, -1, 1)  # y up: row 0 of the grid is y = -1
    for ax, image, title in zip(axes, [target, *fits], titles, strict=True):
        shown = ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit, extent=square,
                          origin="lower")  # fmt: skip
        ax.contour(image, levels=[0.0], colors="black", linewidths=0.8, extent=square)
        if image is not target:
            ax.contour(target, levels=[0.0], colors="0.4", linewidths=0.6, linestyles="--",
                       extent=square)  # fmt: skip
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    bar = fig.colorbar(shown, cax=scale)
    bar.set_label("SDF (blue inside, red outside)", fontsize=8)
    return fig
