"""A signed distance field with thin parts (thin_shape_sdf) fitted by a coordinate network
from raw coordinates and behind Gaussian mappings of several scales: the target, each
mapping's fit, and the held-out error near the thin parts against near the thick part."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.analysis.aggregate import mean_ci
from simbias.plan import layout
from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points, legend_beside

CAPTION = """
DebSDF's thin structures in 2-d: the exact signed distance field of a thick disc beside a
thin ring and two thin bars (left), and each experiment's fit (first seed) on the whole grid,
three quarters of it held out; black lines are zero level sets (the shape's boundary), dashed
the target's. Below: held-out mean absolute SDF error near the thin parts' boundary and near
the thick part's, and the share of each part's held-out inside points that the fit puts
inside (the thin_parts_lost claim's measure), mean over seeds with 95% t intervals. Without a
mapping the network
smooths the thin parts; a mapping of the right scale keeps them; too large a scale fits the
training points and not the others.
"""

LABELS = {"thin": "near thin parts", "thick": "near the thick part"}


def data_dir_of(final_path: str, dataset: str) -> Path:
    """The dataset directory beside a run's results tree (``final_path`` is a run's
    final.json, under ``layout.RUNS_ROOT``)."""
    root = str(final_path).rsplit(layout.RUNS_ROOT, 1)[0]
    return Path(root + layout.DATA.format(dataset=dataset))


def _grid(data_dir: Path, values_of) -> np.ndarray:
    """Both splits' points back on their grid, each point's value from ``values_of``."""
    from simbias.data.store import load_split

    parts = [load_split(data_dir, split) for split in ("train", "test")]
    size = max(int(part.attributes["row"].max()) for part in parts) + 1
    grid = np.zeros((size, size))
    for part in parts:
        grid[part.attributes["row"], part.attributes["col"]] = np.ravel(values_of(part))
    return grid


def _fit_grid(run: pd.Series, data_dir: Path) -> np.ndarray:
    import torch

    from simbias.train.run import load_trained_model

    model = load_trained_model(Path(run["path"]).parent, data_dir)
    with torch.no_grad():
        return _grid(data_dir, lambda part: model(torch.from_numpy(part.x)).numpy())


def _scale(run: pd.Series) -> float:
    """The run's mapping scale, 0 without a mapping (the panels' order)."""
    model = run["final"]["config"]["model"]
    return 0.0 if model.get("mapping", "none") == "none" else float(model["scale"])


def _region_stats(runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per experiment and region: mean and 95% t interval over seeds of ``{region}_{metric}``
    (``mae``: held-out error; ``inside``: share of the inside kept inside)."""
    from simbias.analysis.sdf_fit import sdf_fit_analysis

    rows = []
    for experiment, part in runs.groupby("experiment"):
        per_seed = [
            sdf_fit_analysis(Path(r.path).parent, data_dir_of(r.path, r.dataset), "cpu")
            for r in part.itertuples()
        ]
        for region in LABELS:
            values = np.array([result[f"{region}_{metric}"] for result in per_seed])
            low, high = mean_ci(values)
            rows.append({"experiment": experiment, "split": region, "mean": values.mean(),
                         "ci_low": low, "ci_high": high, "n": len(values)})  # fmt: skip
    return pd.DataFrame(rows)


@FIGURES.register("thin_sdf_fit", source="final", caption=CAPTION)
def thin_sdf_fit_figure(runs: pd.DataFrame) -> plt.Figure:
    """The target SDF and each experiment's first-seed fit, zero level sets drawn; thin vs
    thick held-out error per experiment, mean and 95% CI over seeds."""
    firsts = runs.sort_values("seed").groupby("experiment").head(1)
    firsts = firsts.assign(scale=firsts.apply(_scale, axis=1)).sort_values("scale")
    experiments = list(firsts["experiment"])
    data_dir = data_dir_of(firsts["path"].iloc[0], firsts["dataset"].iloc[0])
    target = _grid(data_dir, lambda part: part.y)
    fits = [_fit_grid(run, data_dir) for _, run in firsts.iterrows()]

    panels = len(fits) + 1
    fig = plt.figure(figsize=(2.3 * panels, 5.6))
    grid = fig.add_gridspec(2, panels, height_ratios=[1.0, 0.9])
    limit = float(np.abs(target).max())
    mappings = [f"scale {s:g}" if s else "no mapping" for s in firsts["scale"]]
    titles = ["target SDF"] + [f"{e}\n({m})" for e, m in zip(experiments, mappings, strict=True)]
    square = (-1, 1, -1, 1)  # y up: row 0 of the grid is y = -1
    for index, (image, title) in enumerate(zip([target, *fits], titles, strict=True)):
        ax = fig.add_subplot(grid[0, index])
        shown = ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit, extent=square,
                          origin="lower")  # fmt: skip
        ax.contour(image, levels=[0.0], colors="black", linewidths=0.8, extent=square)
        if index:
            ax.contour(target, levels=[0.0], colors="0.4", linewidths=0.6, linestyles="--",
                       extent=square)  # fmt: skip
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    # The colour scale in the empty slot under the target, off the panels.
    slot = fig.add_subplot(grid[1, 0])
    slot.axis("off")
    bar = fig.colorbar(shown, cax=slot.inset_axes((0.3, 0.1, 0.1, 0.8)))
    bar.ax.yaxis.set_ticks_position("left")
    bar.ax.yaxis.set_label_position("left")
    bar.set_label("SDF (blue inside, red outside)", fontsize=8)

    middle = 1 + (panels - 1) // 2
    for cells, metric, ylabel, title in (
        (slice(1, middle), "mae", "held-out SDF MAE", "error near each part"),
        (slice(middle, panels), "inside", "share of inside kept inside", "inside kept"),
    ):
        ax = fig.add_subplot(grid[1, cells])
        stats = _region_stats(runs, metric)
        dodged_points(ax, stats, experiments, x="experiment", series="split",
                      labels=lambda region: LABELS[region], values=list(LABELS))  # fmt: skip
        if metric == "mae":
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{firsts['dataset'].iloc[0]}: {title} (n={int(stats['n'].min())} seeds)",
                     fontsize=9)  # fmt: skip
    legend_beside(ax)
    return fig
