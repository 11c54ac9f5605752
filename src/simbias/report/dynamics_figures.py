"""Figures of training dynamics (opposing signals, sharpness vs 2/lr) and of weight
spectra (per-layer ESD alpha, plain and FARMS; the aspect-ratio sweep)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simbias.analysis.opposing_signals import opposing_groups
from simbias.report.error_bars import ci_error
from simbias.report.tables import metric_keys
from simbias.train.dynamics import DYNAMICS_NAME

SPECTRUM_KEY = re.compile(
    r"^(layer\d+|(?:gauss|trained)_q\d+)_(alpha|farms_alpha|alpha_hill|farms_alpha_hill)$"
)


def _with_keys(summary: pd.DataFrame) -> pd.DataFrame:
    """The spectrum rows of a summary, with the layer (or sweep point) and the measure."""
    parts = metric_keys(summary).str.extract(SPECTRUM_KEY)
    return summary.assign(owner=parts[0], measure=parts[1]).dropna(subset=["owner"])


def dynamics_figure(runs: pd.DataFrame) -> plt.Figure:
    """Per experiment (rows) and regime (columns), the lowest seed: mean loss of the two
    opposing groups over steps (left axis), sharpness and 2/lr (right axis)."""
    first = runs.sort_values("seed").groupby(["experiment", "regime"]).head(1)
    experiments = sorted(first["experiment"].unique())
    n_cols = int(first.groupby("experiment").size().max())
    fig, axes = plt.subplots(
        len(experiments), n_cols, figsize=(4.4 * n_cols, 3.4 * len(experiments)), squeeze=False
    )
    for axes_row, experiment in zip(axes, experiments, strict=True):
        part = first[first["experiment"] == experiment].sort_values("regime")
        for ax in axes_row[len(part) :]:
            ax.set_visible(False)
        for ax, row in zip(axes_row, part.itertuples(), strict=False):
            with np.load(Path(row.path).parent / DYNAMICS_NAME) as npz:
                steps, losses = npz["steps"], npz["losses"]
                sharpness, lr = npz["sharpness"], npz["lr"]
            groups = opposing_groups(losses)
            ax.plot(
                steps, groups.curve_a, color="#ee6677", label=f"group A (n={len(groups.index_a)})"
            )
            ax.plot(
                steps, groups.curve_b, color="#4477aa", label=f"group B (n={len(groups.index_b)})"
            )
            ax.set_yscale("log")
            ax.set_xlabel("step")
            ax.set_ylabel("mean loss of the group")
            twin = ax.twinx()
            measured = np.isfinite(sharpness)
            twin.plot(steps[measured], sharpness[measured], "k.-", markersize=3, linewidth=0.8,
                      label="sharpness (top Hessian eigenvalue)")  # fmt: skip
            # 2/lr is GD's stability threshold; it says nothing about Adam's steps.
            top = np.nanmax(sharpness) if measured.any() else 1.0
            if row.final["train_settings"]["optimizer"] != "adam":
                twin.plot(steps, 2 / lr, "k--", linewidth=1, label="2 / lr (GD threshold)")
                top = max(top, float(np.median(2 / lr)))
            twin.set_ylabel("sharpness")
            twin.set_ylim(0, 1.3 * top)  # a decaying lr sends 2/lr off the chart: clip it
            ax.set_title(
                f"{row.dataset} / {row.model} / {row.regime} (seed {row.seed})", fontsize=9
            )
            lines = ax.get_legend_handles_labels()
            more = twin.get_legend_handles_labels()
            ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=6, loc="best")
    fig.suptitle(
        "Opposing signals: the two groups of examples whose loss changes most, with sharpness",
        fontsize=11,
    )
    return fig


def weight_spectra_figure(summary: pd.DataFrame) -> plt.Figure:
    """Per experiment: ESD alpha of each layer per regime, WeightWatcher's fit (left) and
    FARMS (right), mean and 95% CI over seeds."""
    keyed = _with_keys(summary)
    keyed = keyed[keyed["owner"].str.startswith("layer")]
    experiments = sorted(keyed["experiment"].unique())
    fig, axes = plt.subplots(
        len(experiments), 2, figsize=(10, 3.4 * len(experiments)), squeeze=False
    )
    for (ax_plain, ax_farms), experiment in zip(axes, experiments, strict=True):
        part = keyed[keyed["experiment"] == experiment]
        for ax, measure, title in ((ax_plain, "alpha", "plain ESD alpha"),
                                   (ax_farms, "farms_alpha", "FARMS alpha")):  # fmt: skip
            chosen = part[part["measure"] == measure]
            for regime, rows in chosen.groupby("regime"):
                rows = rows.assign(layer=rows["owner"].str[5:].astype(int)).sort_values("layer")
                ax.errorbar(rows["layer"] + 1, rows["mean"], yerr=ci_error(rows), marker="o",
                            capsize=3, label=regime)  # fmt: skip
            first = part.iloc[0]
            ax.set_title(f"{first['dataset']} / {first['model']}: {title}", fontsize=9)
            ax.set_xlabel("layer (Linear / Conv2d, in order; ensembles: members in turn)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("alpha (mean, 95% CI)")
        ax_plain.legend(fontsize=7, ncol=2)
    fig.suptitle("Heavy-tail exponent alpha of each layer's ESD, by training regime", fontsize=11)
    return fig


def aspect_ratio_figure(summary: pd.DataFrame) -> plt.Figure:
    """Alpha against the matrix aspect ratio Q, plain vs FARMS, for Gaussian matrices and
    the trained layers; WeightWatcher's KS-fitted alpha (left) and the Hill estimate (right)."""
    keyed = _with_keys(summary)
    keyed = keyed[~keyed["owner"].str.startswith("layer")]
    keyed = keyed.assign(
        source=keyed["owner"].str.split("_").str[0],
        q=keyed["owner"].str.extract(r"_q(\d+)$")[0].astype(int),
    )
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    styles = {
        ("gauss", False): ("#4477aa", "o-"),
        ("gauss", True): ("#ee6677", "o-"),
        ("trained", False): ("#4477aa", "s:"),
        ("trained", True): ("#ee6677", "s:"),
    }
    for ax, hill in zip(axes, (False, True), strict=True):
        for (source, farms), (colour, style) in styles.items():
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
