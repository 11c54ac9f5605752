"""Heavy-tail exponent alpha of each layer's ESD, plain and FARMS, by regime."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points
from simbias.report.figures._spectra import with_keys

CAPTION = """
Heavy-tail exponent alpha of each layer's weight spectrum per training regime, Hill's
estimator on the whole matrix (plain, left) and on FARMS's pooled 100 x 100 windows (right,
Hu et al. 2025); means and 95% t intervals over seeds, ensembles averaged over their
members, layers too small for a window left out. Lower alpha is a heavier tail; read the
regimes' spread against the plain-vs-FARMS gap, which is the estimator's aspect-ratio bias.
"""

MEASURES = (("alpha_hill", "plain Hill alpha (whole matrix)"), ("farms_alpha", "FARMS alpha"))


def member_layers(part: pd.DataFrame) -> pd.DataFrame:
    """One row per (regime, layer of one network, measure): an ensemble's spectra come
    member after member (layer indices 0..m*L-1), so layer i is layer i mod L of member
    i // L, L the experiment's fewest layers of any regime; members are averaged (the CI
    is their mean half-width)."""
    layered = part.assign(index=part["owner"].str[5:].astype(int))
    counts = layered.groupby("regime")["index"].max() + 1
    per_network = int(counts.min())
    if (counts % per_network).any():
        raise ValueError(
            f"weight_spectra: layer counts {dict(counts)} of {part['experiment'].iloc[0]} "
            "are not whole ensembles of its smallest network"
        )
    layered = layered.assign(layer=layered["index"] % per_network).dropna(subset=["mean"])
    return (
        layered.groupby(["regime", "layer", "measure"], as_index=False).agg(
            mean=("mean", "mean"),
            ci_low=("ci_low", "mean"),
            ci_high=("ci_high", "mean"),
            n=("n", "min"),
        )  # fmt: skip
    )


@FIGURES.register("weight_spectra", source="analysis:weight_spectra", caption=CAPTION)
def weight_spectra_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: Hill alpha per regime (x), one colour per layer, plain (left) and
    FARMS (right), mean and 95% CI over seeds."""
    keyed = with_keys(summary)
    keyed = keyed[keyed["owner"].str.startswith("layer")]
    experiments = sorted(keyed["experiment"].unique())
    widest = max(keyed[keyed["experiment"] == e]["regime"].nunique() for e in experiments)
    fig, axes = plt.subplots(
        len(experiments), 2, figsize=(max(8.0, 1.1 * widest + 3), 3.6 * len(experiments)),
        squeeze=False,
    )  # fmt: skip
    for axes_row, experiment in zip(axes, experiments, strict=True):
        part = keyed[keyed["experiment"] == experiment]
        layers = member_layers(part)
        regimes = sorted(part["regime"].unique())
        all_layers = sorted(layers["layer"].unique())
        first = part.iloc[0]
        n = int(part["n"].max())
        for ax, (measure, title) in zip(axes_row, MEASURES, strict=True):
            chosen = layers[layers["measure"] == measure]
            dodged_points(ax, chosen, regimes, "regime", "layer", values=all_layers,
                          labels=lambda layer: f"layer {int(layer) + 1}")  # fmt: skip
            ax.set_title(f"{experiment} ({first['dataset']} / {first['model']}, n={n})\n{title}",
                         fontsize=9)  # fmt: skip
            ax.set_ylabel("alpha (mean, 95% CI)")
            if chosen.empty:
                ax.text(0.5, 0.5, "every layer below 100 x 100", transform=ax.transAxes,
                        ha="center", color="0.4")  # fmt: skip
        handles, labels = [], []
        for ax in axes_row:
            more = ax.get_legend_handles_labels()
            handles += more[0]
            labels += more[1]
        axes_row[1].legend(*_unique(handles, labels), fontsize=7, loc="upper left",
                           bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                           title="Linear / Conv2d, in order", title_fontsize=7)  # fmt: skip
    fig.suptitle("Heavy-tail exponent alpha of each layer's weight spectrum, by regime",
                 fontsize=11)  # fmt: skip
    return fig


def _unique(handles: list, labels: list) -> tuple[list, list]:
    kept = dict(zip(labels, handles, strict=True))
    return list(kept.values()), list(kept)
