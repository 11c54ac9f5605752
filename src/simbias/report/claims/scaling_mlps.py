"""Bachmann, Anagnostidis & Hofmann 2023, Scaling MLPs: A Tale of Inductive Bias (code
gregorbachmann/scaling_mlps): an MLP's test error falls as a power law in training compute;
the CNN's head start from its inductive bias shrinks with scale; augmentation matters more
to the MLP than to the CNN; MLPs do not get worse with larger batches (their README: "smaller
batch sizes tend to lead worse results").

The claims read the per-epoch histories of the sweep (configs/experiments/scaling_mlps.yaml:
the anchor experiment and those in its ``claim_evidence``), each epoch a point (compute, test
error) with compute = epoch x epoch_compute (simbias.train.recorders.training_compute);
frontiers and fits come from simbias.analysis.scaling_laws. Intervals are percentile
bootstraps over seeds (2000 draws, generator seed 0): a draw resamples each group's seeds
with replacement, independently per group (the runs of different groups are independent).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.scaling_laws import (
    SWEEP_REGIME,
    common_budgets,
    family_of,
    fit_power_law,
    seed_frontiers,
)
from simbias.report.claims._base import CLAIMS, Claim, ClaimRow, Control, Evidence

PAPER = "Bachmann, Anagnostidis & Hofmann 2023, Scaling MLPs: A Tale of Inductive Bias"
DRAWS = 2000
BOOTSTRAP_SEED = 0
LOW, HIGH = 2.5, 97.5
#: The sweep regime's augmented twin, the batch sizes (smallest to largest), and the
#: families compared (the sweep regime itself: simbias.analysis.scaling_laws).
AUGMENTED_REGIME = "lion_aug"
BATCH_REGIMES = ("lion_b64", "lion", "lion_b1024")
MLP, CNN = "mlp", "cnn"
#: Criteria, fixed before any result: a power law over at least 1.5 decades with R^2 of
#: its log-log fit at least 0.9; "does not rise" within one point of error.
MIN_DECADES = 1.5
MIN_R_SQUARED = 0.9
BATCH_TOLERANCE = 0.01
#: What the paper reports, for the claims table (README table; sec. 4.4 "Scaling laws" of the
#: NeurIPS version: compute C = FLOP(f) x 3 x N x T, E(C) = a (b + C)^-alpha + E_inf fitted to
#: the compute-optimal models, ImageNet-21k pre-training with augmentation, linear transfer).
REPORTED_SCALING = (
    "error falls as a power law in compute, exponent alpha in {0.12, 0.25, 0.35} (sec. 4.4;"
    " Fig. 1 CIFAR-100, Fig. 6 CIFAR-10 and ImageNet-1k, after ImageNet-21k pre-training);"
    " bottlenecked by parameters alpha_P ~ 1, by examples alpha_N ~ 0.35; compute-optimal"
    " P*(C) ~ C^0.35, N*(C) ~ C^0.65 (more compute into data than for transformers' 0.5/0.5)"
)
REPORTED_GAP = "MLPs' lack of inductive bias compensated by scale (abstract; 95% CIFAR-10)"
REPORTED_AUGMENT = "data augmentation matters more for MLPs than for other models (sec. 4)"
REPORTED_BATCH = "smaller batch sizes tend to lead worse results (README, pre-training)"


def sweep_points(evidence: Evidence, experiments: list[str], regime: str) -> pd.DataFrame:
    """Every epoch of every run of ``experiments`` in ``regime``: family, model, dataset,
    seed, epoch, compute, error."""
    history = evidence.histories
    part = history[history["experiment"].isin(experiments) & (history["regime"] == regime)]
    if part.empty:
        raise ValueError(f"no {regime} histories for experiments {experiments}")
    if "epoch_compute" not in part or part["epoch_compute"].isna().any():
        raise ValueError("the sweep's runs must record the training_compute probe")
    return pd.DataFrame(
        {
            "family": part["experiment"].map(family_of),
            "model": part["model"],
            "dataset": part["dataset"],
            "seed": part["seed"],
            "epoch": part["epoch"],
            "compute": part["epoch"] * part["epoch_compute"],
            "error": 1.0 - part["test_accuracy"],
        }
    )


def resampled_means(per_seed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(DRAWS, ...): the mean over a resample of the rows of ``per_seed`` (seeds first)."""
    per_seed = np.asarray(per_seed, float)
    picks = rng.integers(0, len(per_seed), size=(DRAWS, len(per_seed)))
    return per_seed[picks].mean(axis=1)


def interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(values, [LOW, HIGH])
    return float(low), float(high)


def power_law_verdict(frontiers: np.ndarray, budgets: np.ndarray) -> tuple[bool, str]:
    """The criterion on per-seed frontiers: bootstrap 95% interval of the exponent above 0,
    R^2 of the mean frontier's fit >= MIN_R_SQUARED over >= MIN_DECADES decades."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    mean = frontiers.mean(axis=0)
    if np.ptp(mean) == 0:  # a flat frontier: no power law to fit
        return False, f"frontier flat at error {mean[0]:.3f}; exponent 0"
    fit = fit_power_law(budgets, mean)
    draws = resampled_means(frontiers, rng)
    exponents = [fit_power_law(budgets, d).exponent if np.ptp(d) > 0 else 0.0 for d in draws]
    low, high = interval(np.asarray(exponents))
    passed = low > 0 and fit.r_squared >= MIN_R_SQUARED and fit.decades >= MIN_DECADES
    measured = (
        f"exponent {fit.exponent:.3f} [{low:.3f}, {high:.3f}], R^2 {fit.r_squared:.3f} over"
        f" {fit.decades:.2f} decades ({budgets[0]:.2e} to {budgets[-1]:.2e} FLOPs); frontier"
        f" error {mean[0]:.3f} -> {mean[-1]:.3f}"
    )
    return passed, measured


def shuffled_compute(points: pd.DataFrame, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """``points`` with compute permuted among each seed's points: the same errors and
    computes, no relation between them."""
    rng = np.random.default_rng(seed)
    shuffled = points.copy()
    for _, index in points.groupby("seed").groups.items():
        shuffled.loc[index, "compute"] = rng.permutation(points.loc[index, "compute"].to_numpy())
    return shuffled


def sweep_experiments(experiment: str, spec: dict[str, Any]) -> list[str]:
    return [experiment, *spec.get("claim_evidence", [])]


def sweep_regime(spec: dict[str, Any]) -> str:
    """The regime of the experiment's compute sweep: its first ``claim_regimes`` entry
    (configs/paper.yaml's CIFAR-100 sweep trains their augmented recipe), else SWEEP_REGIME."""
    return (spec.get("claim_regimes") or [SWEEP_REGIME])[0]


@CLAIMS.register(
    "mlp_error_power_law_in_compute",
    paper=PAPER,
    caption="The best MLP's test error per compute budget (the frontier over shapes, data"
    " budgets and epochs) falls as a power law in training compute.",
)
class MlpErrorPowerLaw(Claim):
    """Per seed, the MLP frontier on a log grid of budgets; the log-log fit of the mean
    frontier, the exponent's interval from resampled seeds. Control (built in): the same
    points with compute shuffled among each seed's points."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        regime = sweep_regime(spec)
        points = sweep_points(evidence, sweep_experiments(experiment, spec), regime)
        mlp = points[points["family"] == MLP]
        criterion = (
            f"bootstrap 95% interval of the exponent above 0, R^2 >= {MIN_R_SQUARED} over"
            f" >= {MIN_DECADES} decades of compute"
        )
        budgets = common_budgets(mlp)
        passed, measured = power_law_verdict(seed_frontiers(mlp, budgets), budgets)
        null = shuffled_compute(mlp)
        null_budgets = common_budgets(null)
        null_passed, null_measured = power_law_verdict(
            seed_frontiers(null, null_budgets), null_budgets
        )
        shapes = mlp.groupby(["model", "dataset"]).ngroups
        return [self.row(
            claim=f"the best MLP's test error per compute budget ({shapes} shapes x data"
            " budgets, every epoch) follows a power law in compute",
            experiment=experiment, regime=regime, measured=measured,
            criterion=criterion, n_seeds=int(mlp["seed"].nunique()), passed=passed,
            paper_reports=REPORTED_SCALING,
            control=Control(
                what="the same points with compute shuffled among each seed's points",
                measured=null_measured, passed=null_passed,
            ),
        )]  # fmt: skip


def gap_verdict(
    mlp: np.ndarray, cnn: np.ndarray, budgets: np.ndarray, rng: np.random.Generator
) -> tuple[bool, str]:
    """gap(C) = MLP frontier - CNN frontier (means over seeds, resampled independently).
    Passes if the gap at the smallest common budget is above 0 (the CNN ahead) and larger
    than at the largest, both bootstrap 95% intervals above 0."""
    gaps = resampled_means(mlp, rng) - resampled_means(cnn, rng)
    small, shrink = gaps[:, 0], gaps[:, 0] - gaps[:, -1]
    (s_low, s_high), (d_low, d_high) = interval(small), interval(shrink)
    mean_gap = mlp.mean(axis=0) - cnn.mean(axis=0)
    measured = (
        f"gap (MLP - CNN error) {mean_gap[0]:.3f} [{s_low:.3f}, {s_high:.3f}] at"
        f" {budgets[0]:.2e} FLOPs, {mean_gap[-1]:.3f} at {budgets[-1]:.2e}; shrinkage"
        f" {mean_gap[0] - mean_gap[-1]:.3f} [{d_low:.3f}, {d_high:.3f}]"
    )
    return s_low > 0 and d_low > 0, measured


@CLAIMS.register(
    "cnn_advantage_shrinks_with_compute",
    paper=PAPER,
    caption="At equal training compute the CNN's error is below the best MLP's at small"
    " compute, and the gap shrinks towards the largest compute of the sweep.",
)
class CnnAdvantageShrinks(Claim):
    """MLP and CNN frontiers (each over its shapes and data budgets) on the budgets both
    cover. Control (built in): the CNN against itself, its seeds resampled independently
    on each side, where no gap can appear."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        points = sweep_points(evidence, sweep_experiments(experiment, spec), SWEEP_REGIME)
        mlp, cnn = (points[points["family"] == f] for f in (MLP, CNN))
        if mlp.empty or cnn.empty:
            raise ValueError(f"{self.name}: the sweep needs both mlp_ and cnn_ experiments")
        budgets = common_budgets(mlp, cnn)
        mlp_f, cnn_f = seed_frontiers(mlp, budgets), seed_frontiers(cnn, budgets)
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        passed, measured = gap_verdict(mlp_f, cnn_f, budgets, rng)
        null_passed, null_measured = gap_verdict(cnn_f, cnn_f, budgets, rng)
        return [self.row(
            claim="the CNN's advantage over the best MLP at small compute shrinks with compute",
            experiment=experiment, regime=SWEEP_REGIME, measured=measured,
            criterion="bootstrap 95% intervals of the gap at the smallest common budget and"
            " of its shrinkage to the largest both above 0",
            n_seeds=int(min(mlp["seed"].nunique(), cnn["seed"].nunique())), passed=passed,
            paper_reports=REPORTED_GAP,
            control=Control(
                what="the CNN against itself (seeds resampled independently on each side)",
                measured=null_measured, passed=null_passed,
            ),
        )]  # fmt: skip


def final_errors(evidence: Evidence, experiment: str, regime: str) -> np.ndarray:
    """Each seed's test error after the last epoch of ``experiment``'s ``regime`` runs."""
    history = evidence.histories
    part = history[(history["experiment"] == experiment) & (history["regime"] == regime)]
    if part.empty:
        raise ValueError(f"no {regime} histories for experiment {experiment!r}")
    last = part.sort_values("epoch").groupby("seed").tail(1).sort_values("seed")
    return 1.0 - last["test_accuracy"].to_numpy(float)


def fmt_errors(errors: np.ndarray) -> str:
    return f"{errors.mean():.3f} (seeds {', '.join(f'{e:.3f}' for e in errors)})"


def augment_verdict(
    mlp: tuple[np.ndarray, np.ndarray], cnn: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> tuple[bool, str]:  # fmt: skip
    """Gain = error without - error with augmentation; passes if the bootstrap 95%
    interval of gain(MLP) - gain(CNN) lies above 0."""
    gain = [resampled_means(plain, rng) - resampled_means(aug, rng) for plain, aug in (mlp, cnn)]
    low, high = interval(gain[0] - gain[1])
    point = [plain.mean() - aug.mean() for plain, aug in (mlp, cnn)]
    measured = (
        f"gain MLP {point[0]:.3f} (error {fmt_errors(mlp[0])} -> {fmt_errors(mlp[1])}),"
        f" gain CNN {point[1]:.3f} (error {fmt_errors(cnn[0])} -> {fmt_errors(cnn[1])});"
        f" difference {point[0] - point[1]:.3f} [{low:.3f}, {high:.3f}]"
    )
    return low > 0, measured


@CLAIMS.register(
    "augmentation_helps_mlp_more",
    paper=PAPER,
    caption="Data augmentation lowers the MLP's test error by more than the CNN's.",
)
class AugmentationHelpsMlpMore(Claim):
    """The anchor (MLP) experiment's SWEEP_REGIME and AUGMENTED_REGIME runs against the
    same regimes of the first cnn_ experiment in its ``claim_evidence``.
    Control (built in): the MLP against itself, seeds resampled independently."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        plain, augmented = SWEEP_REGIME, AUGMENTED_REGIME
        cnn_experiment = next(e for e in spec.get("claim_evidence", []) if family_of(e) == CNN)
        mlp = tuple(final_errors(evidence, experiment, r) for r in (plain, augmented))
        cnn = tuple(final_errors(evidence, cnn_experiment, r) for r in (plain, augmented))
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        passed, measured = augment_verdict(mlp, cnn, rng)
        null_passed, null_measured = augment_verdict(mlp, mlp, rng)
        return [self.row(
            claim=f"augmentation ({augmented} vs {plain}) lowers {spec['model']}'s test error"
            f" by more than {cnn_experiment}'s",
            experiment=experiment, regime=f"{augmented} vs {plain}", measured=measured,
            criterion="bootstrap 95% interval of gain(MLP) - gain(CNN) above 0",
            n_seeds=int(min(len(mlp[0]), len(cnn[0]))), passed=passed,
            paper_reports=REPORTED_AUGMENT,
            control=Control(
                what="the MLP against itself (seeds resampled independently on each side)",
                measured=null_measured, passed=null_passed,
            ),
        )]  # fmt: skip


def batch_verdict(small: np.ndarray, large: np.ndarray, rng: np.random.Generator):
    """Passes if the bootstrap 95% interval of error(large) - error(small) lies below
    BATCH_TOLERANCE (the error does not rise by a point or more)."""
    low, high = interval(resampled_means(large, rng) - resampled_means(small, rng))
    return high < BATCH_TOLERANCE, (low, high)


@CLAIMS.register(
    "mlp_error_not_rising_with_batch",
    paper=PAPER,
    caption="At equal epochs (equal compute) the MLP's test error does not rise from the"
    " smallest batch size to the largest.",
)
class MlpErrorNotRisingWithBatch(Claim):
    """BATCH_REGIMES (smallest batch to largest) of one experiment, compared after their
    last epoch. Its declared control: the CNN's runs of the same regimes."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        regimes = BATCH_REGIMES
        errors = {r: final_errors(evidence, experiment, r) for r in regimes}
        small, large = errors[regimes[0]], errors[regimes[-1]]
        passed, (low, high) = batch_verdict(small, large, np.random.default_rng(BOOTSTRAP_SEED))
        path = ", ".join(f"{r} {fmt_errors(e)}" for r, e in errors.items())
        return [self.row(
            claim=f"{spec['model']}'s test error does not rise from batch {regimes[0]} to"
            f" {regimes[-1]} at equal epochs",
            experiment=experiment, regime=f"{regimes[-1]} vs {regimes[0]}",
            measured=f"error {path}; {regimes[-1]} - {regimes[0]}"
            f" {large.mean() - small.mean():.3f} [{low:.3f}, {high:.3f}]",
            criterion=f"bootstrap 95% interval of error(largest) - error(smallest) below"
            f" {BATCH_TOLERANCE}", n_seeds=int(min(len(small), len(large))), passed=passed,
            paper_reports=REPORTED_BATCH,
        )]  # fmt: skip
