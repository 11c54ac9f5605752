"""Heavy-tail exponent alpha of each layer's ESD, plain and FARMS, by regime."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simbias.report.error_bars import ci_error
from simbias.report.figures import FIGURES
from simbias.report.figures._spectra import with_keys

CAPTION = """
Heavy-tail exponent alpha of every layer's empirical spectral density, Hill's estimator with
xmin at the median on the whole matrix (plain) and on FARMS's pooled 100 x 100 windows (Hu
et al. 2025), per regime; means and 95% t intervals over seeds.
"""


@FIGURES.register("weight_spectra", source="analysis:weight_spectra", caption=CAPTION)
def weight_spectra_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: Hill alpha of each layer per regime, plain (left) and FARMS (right),
    mean and 95% CI over seeds."""
    keyed = with_keys(summary)
    keyed = keyed[keyed["owner"].str.startswith("layer")]
    experiments = sorted(keyed["experiment"].unique())
    fig, axes = plt.subplots(
        len(experiments), 2, figsize=(10, 3.4 * len(experiments)), squeeze=False
    )
    for (ax_plain, ax_farms), experiment in zip(axes, experiments, strict=True):
        part = keyed[keyed["experiment"] == experiment]
        for ax, measure, title in ((ax_plain, "alpha_hill", "plain Hill alpha"),
                                   (ax_farms, "farms_alpha", "FARMS alpha")):  # fmt: skip
            chosen = part[part["measure"] == measure]
            for regime, rows in chosen.groupby("regime"):
                rows = rows.assign(layer=rows["owner"].str[5:].astype(int)).sort_values("layer")
                ax.errorbar(rows["layer"] + 1, rows["mean"], yerr=ci_error(rows), marker="o",
                            capsize=3, label=regime)  # fmt: skip
            first = part.iloc[0]
            ax.set_title(f"{first['dataset']} / {first['model']}: {title}", fontsize=9)
            ax.set_xlabel("layer (Linear / Conv2d, in order; ensembles: members in turn)")
            # Integer layer numbers, also when a panel has one layer (FARMS: NaN below 100 x 100).
            layers = sorted(part["owner"].str[5:].astype(int).unique() + 1)
            ax.set_xlim(min(layers) - 0.5, max(layers) + 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("alpha (mean, 95% CI)")
        ax_plain.legend(fontsize=7, ncol=2)
    fig.suptitle("Heavy-tail exponent alpha of each layer's ESD, by training regime", fontsize=11)
    return fig
