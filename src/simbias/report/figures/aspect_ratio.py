"""Aspect-ratio bias of ESD alpha, plain vs FARMS, KS fit vs Hill estimate."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._spectra import with_keys

CAPTION = """
ESD alpha against the matrix aspect ratio Q for i.i.d. Gaussian matrices and the trained
layers, plain vs FARMS, with the KS-fitted power law (left) and the Hill estimate (right):
the aspect-ratio bias FARMS removes.
"""

#: (matrices, FARMS?) -> (colour, line style).
STYLES = {
    ("gauss", False): ("#4477aa", "o-"),
    ("gauss", True): ("#ee6677", "o-"),
    ("trained", False): ("#4477aa", "s:"),
    ("trained", True): ("#ee6677", "s:"),
}


@FIGURES.register("aspect_ratio", source="analysis:aspect_ratio", caption=CAPTION)
def aspect_ratio_figure(summary: pd.DataFrame) -> plt.Figure:
    """Alpha against the matrix aspect ratio Q, plain vs FARMS, for Gaussian matrices and
    the trained layers; WeightWatcher's KS-fitted alpha (left) and the Hill estimate (right)."""
    keyed = with_keys(summary)
    keyed = keyed[~keyed["owner"].str.startswith("layer")]
    keyed = keyed.assign(
        source=keyed["owner"].str.split("_").str[0],
        q=keyed["owner"].str.extract(r"_q(\d+)$")[0].astype(int),
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, hill in zip(axes, (False, True), strict=True):
        for (source, farms), (colour, style) in STYLES.items():
            measure = ("farms_" if farms else "") + "alpha" + ("_hill" if hill else "")
            rows = keyed[(keyed["source"] == source) & (keyed["measure"] == measure)]
            if rows.empty:
                continue
            # Several runs may contribute one Q: average their means, widest CI.
            rows = rows.groupby("q").agg(mean=("mean", "mean"), ci_low=("ci_low", "min"),
                                         ci_high=("ci_high", "max")).reset_index()  # fmt: skip
            kind = "Gaussian" if source == "gauss" else "trained layers"
            label = f"{'FARMS' if farms else 'plain'}, {kind}"
            ax.errorbar(rows["q"], rows["mean"], yerr=ci_error(rows), fmt=style, color=colour,
                        capsize=3, label=label)  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_xlabel("aspect ratio Q = N / M")
        ax.set_ylabel("alpha (mean, 95% CI over seeds)")
        fit = "Hill estimate (xmin = median)" if hill else "KS-fitted power law (WeightWatcher)"
        ax.set_title(fit, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Aspect-ratio bias of ESD alpha, and FARMS", fontsize=11)
    return fig
