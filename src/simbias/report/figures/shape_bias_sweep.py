"""Shape bias against the ratio of cue amplitude to the attack radius (the cue-amplitude
sweep of the Chen, Agarwal, Nguyen 2020 reproduction)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES

CAPTION = """
Shape bias on cue-conflict images against the ratio of the weaker non-shape cue's
amplitude (the L-inf radius that erases it) to the L-inf attack radius eps of the
experiments' adversarial regime, one line per regime (standard SGD, PGD, Gaussian noise of
the attack's norm); each point is one experiment whose dataset scales both cues together.
Below ratio 1 the attack can erase the cues, so robust training leaves only the shape to
learn: a shape bias there is built in. Means and 95% t CIs over seeds.
"""

NOTE = {"fontsize": 7, "va": "top", "color": "grey"}


def sweep_points(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per experiment and regime: ``ratio`` (cue amplitude / the experiment's L-inf
    attack radius), the shape bias ``mean``, ``ci_low``, ``ci_high`` and ``n``."""
    points = []
    for experiment, part in summary.groupby("experiment"):
        amplitude = part.loc[part["key"] == "cue_amplitude", "mean"].unique()
        eps = part.loc[part["key"] == "attack_linf_eps", "mean"].unique()
        if len(amplitude) != 1 or len(eps) != 1:
            raise ValueError(
                f"shape_bias_sweep: experiment {experiment} needs one cue amplitude and one "
                f"L-inf attack radius, found {list(amplitude)} and {list(eps)}"
            )
        bias = part[part["key"] == "shape_bias"]
        points.append(bias.assign(ratio=float(amplitude[0] / eps[0]), eps=float(eps[0])))
    return pd.concat(points, ignore_index=True)


@FIGURES.register("shape_bias_sweep", source="analysis:shape_bias", caption=CAPTION)
def shape_bias_sweep_figure(summary: pd.DataFrame) -> plt.Figure:
    """Shape bias (95% CI) against cue amplitude / eps, one line per regime."""
    points = sweep_points(summary)
    fig, ax = plt.subplots(figsize=(7.6, 4.2))
    markers = ["o", "s", "^", "D", "v"]
    for index, (regime, rows) in enumerate(points.groupby("regime", sort=True)):
        rows = rows.sort_values("ratio")
        ax.errorbar(
            rows["ratio"], rows["mean"], yerr=ci_error(rows), marker=markers[index % 5],
            capsize=3, label=f"{regime} (n={int(rows['n'].min())})",
        )  # fmt: skip
    ax.axvline(1.0, color="grey", linestyle=":", linewidth=1)
    ax.axhline(0.5, color="grey", linestyle="--", linewidth=1)
    ratios = np.sort(points["ratio"].unique())
    ax.set_xscale("log")
    ax.set_xticks(ratios, [f"{r:.2g}" for r in ratios])
    ax.minorticks_off()
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(f"weaker cue's amplitude / attack eps (eps = {points['eps'].iloc[0]:.4f})")
    ax.set_ylabel("shape bias (mean, 95% CI)")
    first = points.iloc[0]
    ax.set_title(f"{first['model']}: shape bias along the cue amplitude", fontsize=10)
    where = ax.get_xaxis_transform()  # x in data units, y in axes units
    ax.text(0.97, 0.98, "attack can erase cues", ha="right", transform=where, **NOTE)
    ax.text(1.03, 0.98, "cues survive attack", ha="left", transform=where, **NOTE)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
