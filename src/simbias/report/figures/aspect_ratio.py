"""Aspect-ratio bias of ESD alpha: plain Hill vs FARMS vs a single block, over Q."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES

CAPTION = """
Hill alpha (xmin at the median) against the aspect ratio Q = N / M: of the whole matrix
(plain), FARMS (100 x 100 windows, 9 per dimension, pooled) and one fixed 100 x 100 block
(the control), on i.i.d. Gaussian matrices, on Pareto matrices with a planted tail (mu = 1:
ESD exponent 1 + mu/2, dashed) and on the trained layers. Random matrices: mean over seeds
of each run's mean over draws, bars +-1 draw-to-draw SD; trained layers: mean and 95% CI
over seeds.
"""

#: Key of the aspect_ratio analysis: source, Q, estimator, and "_sd" for a spread.
KEY = r"^(gauss|pareto|trained)_q(\d+)_(alpha_hill|farms_alpha|single_block_alpha)(_sd)?$"
#: estimator -> (label, colour, marker style); small x offsets keep the bars apart.
ESTIMATORS = {
    "alpha_hill": ("plain (whole matrix)", "#4477aa", "o-", 0.94),
    "farms_alpha": ("FARMS (windows pooled)", "#ee6677", "s-", 1.0),
    "single_block_alpha": ("single 100 x 100 block", "#228833", "^--", 1.06),
}
PANELS = {
    "gauss": "i.i.d. Gaussian matrices (M = 100)",
    "pareto": "planted tail: Pareto entries, mu = 1 (M = 100)",
    "trained": "trained layers (grouped by rounded Q)",
}


@FIGURES.register("aspect_ratio", source="analysis:aspect_ratio", caption=CAPTION)
def aspect_ratio_figure(summary: pd.DataFrame) -> plt.Figure:
    """Alpha against Q per estimator, one panel per matrix source; several experiments or
    regimes contributing one Q are averaged (their widest CI kept)."""
    parts = summary["key"].str.extract(KEY)
    keyed = summary.assign(source=parts[0], q=pd.to_numeric(parts[1]), estimator=parts[2],
                           spread=parts[3].notna()).dropna(subset=["source"])  # fmt: skip
    planted = summary.loc[summary["key"] == "pareto_planted_alpha", "mean"]
    sources = [s for s in PANELS if (keyed["source"] == s).any()]
    fig, axes = plt.subplots(1, max(1, len(sources)), figsize=(4.6 * max(1, len(sources)), 4),
                             squeeze=False)  # fmt: skip
    for ax, source in zip(axes[0], sources, strict=False):
        part = keyed[keyed["source"] == source]
        for estimator, (label, colour, style, shift) in ESTIMATORS.items():
            chosen = part[part["estimator"] == estimator]
            means = (
                chosen[~chosen["spread"]]
                .groupby("q")
                .agg(mean=("mean", "mean"), ci_low=("ci_low", "min"), ci_high=("ci_high", "max"))
            )
            if means.empty:
                continue
            if source == "trained":
                error = ci_error(means)
            else:  # the draw-to-draw SD, each run's, averaged over seeds
                sds = chosen[chosen["spread"]].groupby("q")["mean"].mean()
                error = np.nan_to_num(sds.reindex(means.index).to_numpy(dtype=float))
            ax.errorbar(means.index * shift, means["mean"], yerr=error, fmt=style,
                        color=colour, capsize=3, label=label)  # fmt: skip
        if source == "pareto" and not planted.empty:
            ax.axhline(planted.mean(), color="0.4", ls=":", lw=1,
                       label=f"planted 1 + mu/2 = {planted.mean():.2f}")  # fmt: skip
        ax.set_xscale("log", base=2)
        qs = sorted(part["q"].unique())
        ax.set_xticks(qs, [str(int(q)) for q in qs])
        ax.set_xlim(min(qs) / 1.4, max(qs) * 1.4)
        ax.set_xlabel("aspect ratio Q = N / M")
        spread = "95% CI over seeds" if source == "trained" else "+-1 SD over draws"
        ax.set_ylabel(f"Hill alpha (mean, {spread})")
        ax.set_title(PANELS[source], fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Aspect-ratio bias of ESD alpha: plain vs FARMS vs a single block", fontsize=11)
    fig.tight_layout()
    return fig
