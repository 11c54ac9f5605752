"""Bachmann et al. 2023's Figure 1 on our scale: test error against training compute, log-log,
one line per model shape and data budget, the MLP frontier's power law dashed; beside it the
final error of the augmentation and batch-size variants."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.analysis.scaling_laws import (
    SWEEP_REGIME,
    common_budgets,
    family_of,
    fit_power_law,
    seed_frontiers,
)
from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points

CAPTION = """
Left, a panel per compute sweep: test error against training compute (3 x forward
multiply-adds x examples seen, as Bachmann et al. 2023 count it), log-log, mean and 95% CI
over seeds, one line per model shape (B_blocks-Wi_width MLPs solid, the small CNN dashed)
and data budget (the dataset after the shape where a panel has several), every epoch a
point. A sweep is the lion runs, or those of the one regime an experiment trains (at paper
scale CIFAR-100's lion_aug, their whole recipe). Black dashed: the power law fitted to the
MLP frontier (least error at each budget over the sweep's MLP runs, mean over seeds).
Right: test error after the last epoch per regime (augmented: lion_aug; batch 64 / 256 /
1024), MLP B_2-Wi_64 against the CNN: compare each family's spread across regimes.
"""

REGIME_ORDER = ["lion", "lion_aug", "lion_b64", "lion_b1024"]


FAMILY_LABELS = {"mlp": "MLP B_2-Wi_64", "cnn": "small CNN"}


def _label(model: str, dataset: str, several_datasets: bool) -> str:
    """``mlp_b2_w64`` -> ``B2-W64``, ``cnn_small`` -> ``cnn small``; the dataset after it where
    the panel has several (``B2-W64 digits_x2``: the data budget)."""
    if model.startswith("mlp_"):
        shape = model.removeprefix("mlp_").replace("_", "-").upper()
    else:
        shape = model.replace("_", " ")
    return f"{shape} {dataset}" if several_datasets else shape


def sweep_runs(history: pd.DataFrame) -> pd.DataFrame:
    """Each experiment's compute sweep: its SWEEP_REGIME runs, or, where it trains one other
    regime only (configs/paper.yaml's CIFAR-100 sweep: lion_aug, their whole recipe), that
    one's; the claim reads each sweep in its experiment's regime likewise."""
    parts = []
    for experiment, runs in history.groupby("experiment", sort=False):
        regimes = sorted(runs["regime"].unique())
        if SWEEP_REGIME in regimes:
            parts.append(runs[runs["regime"] == SWEEP_REGIME])
        elif len(regimes) == 1:
            parts.append(runs)
        else:
            raise ValueError(f"{experiment}: no {SWEEP_REGIME!r} runs and several regimes"
                             f" {regimes}: which is its compute sweep?")  # fmt: skip
    return pd.concat(parts)


def _sweep_panel(ax: plt.Axes, sweep: pd.DataFrame) -> None:
    """One sweep's error against compute, a line per shape and data budget, the MLP
    frontier's power law dashed."""
    several = sweep["dataset"].nunique() > 1
    for (family, model, dataset), runs in sweep.groupby(["family", "model", "dataset"]):
        stats = summarise(runs, ["epoch"], value="error").merge(
            runs.groupby("epoch")["compute"].first().reset_index(), on="epoch"
        )
        style = "--" if family == "cnn" else "-"
        (line,) = ax.plot(stats["compute"], stats["mean"], style, linewidth=1.3,
                          label=_label(model, dataset, several))  # fmt: skip
        ax.fill_between(stats["compute"], stats["ci_low"].clip(lower=1e-3),
                        stats["ci_high"], color=line.get_color(), alpha=0.15)  # fmt: skip
    mlp = sweep[sweep["family"] == "mlp"]
    if not mlp.empty:
        budgets = common_budgets(mlp)
        fit = fit_power_law(budgets, seed_frontiers(mlp, budgets).mean(axis=0))
        ax.plot(budgets, fit.prefactor * budgets ** (-fit.exponent), "k--", linewidth=1.6,
                label=f"MLP frontier fit: error ~ C^-{fit.exponent:.2f}"
                f" (R^2 {fit.r_squared:.2f})")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training compute C (multiply-adds, 3 x forward x examples)")
    ax.set_ylabel("test error")
    regime, n = sweep["regime"].iloc[0], sweep["seed"].nunique()
    datasets = ", ".join(sorted(sweep["dataset"].unique()))
    ax.set_title(f"{datasets}, regime {regime} (n={n} seeds)", fontsize=10)
    ax.grid(which="both", color="0.92", linewidth=0.6)
    # Under the panel: inside, it would hide the ends of the curves.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=7, frameon=False)


@FIGURES.register("mlp_scaling", source="history", caption=CAPTION)
def mlp_scaling_figure(history: pd.DataFrame) -> plt.Figure:
    """Error against compute per shape and sweep, the MLP frontiers' fits, and the
    variants' errors."""
    history = history.assign(
        family=history["experiment"].map(family_of),
        compute=history["epoch"] * history["epoch_compute"],
        error=1.0 - history["test_accuracy"],
    )
    sweeps = [runs for _, runs in sweep_runs(history).groupby("regime", sort=False)]
    widths = [1.6] * len(sweeps) + [1]
    fig, axes = plt.subplots(1, len(widths), figsize=(6.3 * len(sweeps) + 4.2, 5.2),
                             gridspec_kw={"width_ratios": widths})  # fmt: skip
    for ax, sweep in zip(axes[:-1], sweeps, strict=True):
        _sweep_panel(ax, sweep)
    variants = axes[-1]

    anchors = history[history["experiment"].isin(["mlp_scaling_b2_w64", "cnn_scaling"])]
    last = anchors.sort_values("epoch").groupby(["experiment", "regime", "seed"]).tail(1)
    if not last.empty:
        stats = summarise(last, ["family", "regime"], value="error")
        regimes = [r for r in REGIME_ORDER if r in set(stats["regime"])]
        dodged_points(variants, stats, regimes, x="regime", series="family",
                      labels=lambda f: FAMILY_LABELS.get(f, f))  # fmt: skip
        variants.set_ylabel("test error after the last epoch")
        variants.set_title("Augmentation and batch size (mean, 95% CI)", fontsize=10)
        variants.legend(fontsize=8, loc="upper left")
    fig.suptitle("Scaling MLPs (Bachmann et al. 2023): error against compute", fontsize=11)
    return fig
