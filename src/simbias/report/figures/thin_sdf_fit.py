"""How a coordinate network's fit of a signed distance field with thin parts
(thin_shape_sdf) fares near the thin parts against near the thick part, per mapping: the
sdf_fit analysis over seeds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points, legend_beside, mapping_scale_order

CAPTION = """
DebSDF's thin structures in 2-d (the fields are drawn in thin_sdf_fields), from the sdf_fit
analysis. Left: held-out mean absolute SDF error near the thin parts' boundary and near the
thick part's. Right: the share of each part's held-out inside points that the fit puts
inside (the thin_parts_lost claim's measure). Experiments run from no mapping to Gaussian
mappings of rising scale; mean over seeds with 95% t intervals. Without a mapping the
network loses most of the thin parts' inside and keeps most of the thick part's; a mapping
of the right scale keeps both.
"""

LABELS = {"thin": "near thin parts", "thick": "near the thick part"}
PANELS = (
    ("mae", "held-out SDF MAE", "error near each part"),
    ("inside", "share of inside kept inside", "inside kept"),
)


@FIGURES.register("thin_sdf_fit", source="analysis:sdf_fit", caption=CAPTION)
def thin_sdf_fit_figure(summary: pd.DataFrame) -> plt.Figure:
    """Thin against thick per experiment: held-out error and inside kept, mean and 95% CI."""
    rows = summary[summary["split"].isin(list(LABELS))]
    experiments = sorted(rows["experiment"].unique(), key=mapping_scale_order)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(10.5, 3.6))
    for ax, (metric, ylabel, title) in zip(axes, PANELS, strict=True):
        chosen = rows[rows["metric"] == metric]
        dodged_points(ax, chosen, experiments, x="experiment", series="split",
                      labels=lambda region: LABELS[region], values=list(LABELS))  # fmt: skip
        if metric == "mae":
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{chosen['dataset'].iloc[0]}: {title} (n={int(chosen['n'].min())} seeds)",
                     fontsize=9)  # fmt: skip
    legend_beside(axes[-1])
    return fig
