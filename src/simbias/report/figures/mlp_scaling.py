"""Bachmann et al. 2023's Figure 1 on our scale: test error against training compute, log-log,
one line per model shape and data budget, the MLP frontier's power law dashed; beside it the
final error of the augmentation and batch-size variants."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from simbias.analysis.aggregate import summarise
from simbias.analysis.scaling_laws import (
    common_budgets,
    family_of,
    fit_power_law,
    seed_frontiers,
)
from simbias.report.figures import FIGURES
from simbias.report.figures._common import dodged_points, legend_beside

CAPTION = """
Left: test error against training compute (3 x forward multiply-adds x examples seen, as
Bachmann et al. 2023 count it), log-log, mean and 95% CI over seeds, one line per model
shape (B_blocks-Wi_width MLPs solid, the small CNN dashed) and data budget (x2: twice the
data), every epoch a point, regime lion. Black dashed: the power law fitted to the MLP
frontier (least error at each budget over all MLP runs, mean over seeds). Right: test error
after the last epoch per regime (augmented: lion_aug; batch 64 / 256 / 1024), MLP B_2-Wi_64
against the CNN: compare each family's spread across regimes.
"""

SWEEP_REGIME = "lion"
REGIME_ORDER = ["lion", "lion_aug", "lion_b64", "lion_b1024"]


FAMILY_LABELS = {"mlp": "MLP B_2-Wi_64", "cnn": "small CNN"}


def _label(model: str, dataset: str) -> str:
    """``mlp_b2_w64`` on ``digits_x2`` -> ``B2-W64 x2``; ``cnn_small`` -> ``cnn small``."""
    if model.startswith("mlp_"):
        shape = model.removeprefix("mlp_").replace("_", "-").upper()
    else:
        shape = model.replace("_", " ")
    return shape + (" x2" if dataset.endswith("_x2") else "")


@FIGURES.register("mlp_scaling", source="history", caption=CAPTION)
def mlp_scaling_figure(history: pd.DataFrame) -> plt.Figure:
    """Error against compute per shape, the MLP frontier's fit, and the variants' errors."""
    history = history.assign(
        family=history["experiment"].map(family_of),
        compute=history["epoch"] * history["epoch_compute"],
        error=1.0 - history["test_accuracy"],
    )
    fig, (curves, variants) = plt.subplots(1, 2, figsize=(11.5, 4.2),
                                           gridspec_kw={"width_ratios": [1.6, 1]})  # fmt: skip
    sweep = history[history["regime"] == SWEEP_REGIME]
    for (family, model, dataset), runs in sweep.groupby(["family", "model", "dataset"]):
        stats = summarise(runs, ["epoch"], value="error").merge(
            runs.groupby("epoch")["compute"].first().reset_index(), on="epoch"
        )
        style = "--" if family == "cnn" else "-"
        (line,) = curves.plot(stats["compute"], stats["mean"], style, linewidth=1.3,
                              label=_label(model, dataset))  # fmt: skip
        curves.fill_between(stats["compute"], stats["ci_low"].clip(lower=1e-3),
                            stats["ci_high"], color=line.get_color(), alpha=0.15)  # fmt: skip
    mlp = sweep[sweep["family"] == "mlp"]
    if not mlp.empty:
        budgets = common_budgets(mlp)
        fit = fit_power_law(budgets, seed_frontiers(mlp, budgets).mean(axis=0))
        curves.plot(budgets, fit.prefactor * budgets ** (-fit.exponent), "k--", linewidth=1.6,
                    label=f"MLP frontier fit: error ~ C^-{fit.exponent:.2f}"
                    f" (R^2 {fit.r_squared:.2f})")  # fmt: skip
    curves.set_xscale("log")
    curves.set_yscale("log")
    curves.set_xlabel("training compute C (multiply-adds, 3 x forward x examples)")
    curves.set_ylabel("test error")
    n = sweep["seed"].nunique()
    curves.set_title(f"Error against compute, regime {SWEEP_REGIME} (n={n} seeds)", fontsize=10)
    curves.grid(which="both", color="0.92", linewidth=0.6)
    legend_beside(curves)

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
    datasets = ", ".join(sorted(sweep["dataset"].unique()))
    fig.suptitle(f"Scaling MLPs (Bachmann et al. 2023) on {datasets}", fontsize=11)
    return fig
