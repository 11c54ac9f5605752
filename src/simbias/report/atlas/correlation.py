"""Spearman's rank correlation over runs, with a bootstrap interval that resamples groups:
the seeds of one group share their data, model and regime, so they are not independent
points, and resampling them one by one would make the interval too narrow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from simbias.analysis.aggregate import BOOTSTRAP_RESAMPLES, LEVEL


@dataclass(frozen=True)
class Correlation:
    """Spearman's rho over ``n_runs`` runs in ``n_groups`` groups, and its group-bootstrap
    interval (NaN when it cannot be estimated: one group)."""

    n_runs: int
    n_groups: int
    rho: float
    ci_low: float
    ci_high: float

    @property
    def has_interval(self) -> bool:
        return bool(np.isfinite(self.ci_low) and np.isfinite(self.ci_high))

    @property
    def within_noise(self) -> bool | None:
        """Whether the interval includes 0; None without an interval."""
        return bool(self.ci_low <= 0 <= self.ci_high) if self.has_interval else None

    def describe(self) -> str:
        """``Spearman ρ = 0.41 [0.1, 0.7]``, then "within noise" where the interval holds 0."""
        if not np.isfinite(self.rho):
            return "Spearman ρ undefined: x or y is constant over the runs"
        text = f"Spearman ρ = {self.rho:.2f}"
        if not self.has_interval:
            return f"{text}, no interval (one group)"
        text += f" [{self.ci_low:.2f}, {self.ci_high:.2f}]"
        return f"{text}, within noise" if self.within_noise else text


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho (Pearson's r of average ranks); NaN when x or y is constant."""
    rank_x, rank_y = scipy_stats.rankdata(x), scipy_stats.rankdata(y)
    if np.ptp(rank_x) == 0 or np.ptp(rank_y) == 0:
        return float("nan")
    return float(np.corrcoef(rank_x, rank_y)[0, 1])


def group_bootstrap_spearman(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    level: float = LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Correlation:
    """Spearman's rho of ``x`` and ``y`` (one value per run) and its percentile bootstrap
    interval over ``resamples`` draws of whole groups (``groups``: each run's group) with
    replacement; draws whose x or y came out constant are skipped."""
    x, y, groups = np.asarray(x, float), np.asarray(y, float), np.asarray(groups)
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    rho = spearman(x, y)
    low = high = float("nan")
    if len(members) > 1:
        rng = np.random.default_rng(seed)
        draws = []
        for chosen in rng.integers(0, len(members), size=(resamples, len(members))):
            runs = np.concatenate([members[g] for g in chosen])
            draws.append(spearman(x[runs], y[runs]))
        draws = np.asarray(draws)
        draws = draws[np.isfinite(draws)]
        if len(draws):
            tail = (1 - level) / 2
            low, high = (float(q) for q in np.quantile(draws, [tail, 1 - tail]))
    return Correlation(len(x), len(members), rho, low, high)
