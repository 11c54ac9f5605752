"""Error against training compute (Bachmann et al. 2023, Scaling MLPs: A Tale of Inductive
Bias, sec. 4.4): the compute-optimal frontier of a family of runs and its power law.

A run of constant learning rate (their ``--scheduler none``) is, after epoch e, what a run of
e epochs would be; so every epoch of every run is a point (compute, test error), compute
being e x epoch_compute (simbias.train.recorders.training_compute). The frontier at a budget
C is the least error of any point of compute <= C (the lower envelope of the curves of all
shapes and data budgets, their Figure 1); the power law is the least-squares line of log10
error against log10 compute over the frontier, on a grid of budgets evenly spaced in log
compute (so that each decade weighs the same, however many epochs fall in it). Their fit,
E(C) = a (b + C)^-alpha + E_inf, adds an offset and an irreducible error; the pure power law
here (b = E_inf = 0) is the one whose exponent the claim judges, and its R^2 says how well
it describes the frontier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The regime of a compute sweep (configs/experiments/scaling_mlps.yaml: Lion, their
#: optimizer, no augmentation) unless an experiment names another (its claim_regimes).
SWEEP_REGIME = "lion"


def frontier(compute: np.ndarray, error: np.ndarray, budgets: np.ndarray) -> np.ndarray:
    """Least ``error`` among points of ``compute`` <= each budget (NaN below every point)."""
    compute, error = np.asarray(compute, float), np.asarray(error, float)
    order = np.argsort(compute, kind="stable")
    running = np.minimum.accumulate(error[order])
    index = np.searchsorted(compute[order], np.asarray(budgets, float), side="right") - 1
    return np.where(index >= 0, running[np.clip(index, 0, None)], np.nan)


def log_grid(low: float, high: float, per_decade: int = 8) -> np.ndarray:
    """Budgets from ``low`` to ``high``, ``per_decade`` to a decade, both ends included."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got {low}, {high}")
    count = max(2, int(np.ceil(np.log10(high / low) * per_decade)) + 1)
    return np.logspace(np.log10(low), np.log10(high), count)


def seed_frontiers(points: pd.DataFrame, budgets: np.ndarray) -> np.ndarray:
    """(seeds, budgets): each seed's frontier over all of its points (columns seed, compute,
    error: every model and data budget of a family), seeds in ascending order."""
    return np.stack(
        [frontier(p["compute"], p["error"], budgets) for _, p in points.groupby("seed")]
    )


def common_budgets(*families: pd.DataFrame) -> np.ndarray:
    """The log grid over the compute every seed of every family covers."""
    low = max(p.groupby("seed")["compute"].min().max() for p in families)
    high = min(p.groupby("seed")["compute"].max().min() for p in families)
    return log_grid(low, high)


@dataclass(frozen=True)
class PowerLaw:
    """error ~ prefactor x compute^(-exponent), fitted in log-log over ``decades``."""

    exponent: float
    prefactor: float
    r_squared: float
    decades: float


def fit_power_law(compute: np.ndarray, error: np.ndarray) -> PowerLaw:
    """Least squares of log10 ``error`` on log10 ``compute`` (both > 0); exponent is minus
    the slope. R^2 is 0 when the errors do not vary (a flat line explains nothing)."""
    x = np.log10(np.asarray(compute, float))
    y = np.log10(np.asarray(error, float))
    if len(x) < 3 or not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise ValueError("a power-law fit needs at least 3 points of finite positive values")
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(np.sum((y - (slope * x + intercept)) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1.0 - residual / total if total > 0 else 0.0
    return PowerLaw(
        exponent=float(-slope),
        prefactor=float(10**intercept),
        r_squared=r_squared,
        decades=float(x.max() - x.min()),
    )


def family_of(experiment: str) -> str:
    """The model family of a scaling experiment, by its name: ``mlp_scaling_b2_w64`` ->
    ``mlp``, ``cnn_scaling_x2`` -> ``cnn`` (configs/experiments/scaling_mlps.yaml names its
    sweep points so)."""
    family, marker, _ = experiment.partition("_scaling")
    if not marker:
        raise ValueError(f"{experiment!r} is not named <family>_scaling...")
    return family
