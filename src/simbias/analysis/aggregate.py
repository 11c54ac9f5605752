"""Summaries over seeds: mean, standard deviation, a 95% CI that holds at small n, and the
seed values themselves.

The interval is Student's t on the mean (``scipy.stats``), not a percentile bootstrap: with
5 seeds a bootstrap of the mean covers the true mean far less often than it claims (about
0.85 at a nominal 0.95 for normal data, tests/test_intervals.py), which makes "the CIs do
not overlap" pass too easily. Paired comparisons (runs paired by seed) take the t-interval
of the paired differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000


def mean_ci(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Student's t interval of the mean. One value, or values all equal: that value."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2 or np.ptp(values) == 0:
        return mean, mean
    sem = scipy_stats.sem(values)
    low, high = scipy_stats.t.interval(level, df=len(values) - 1, loc=mean, scale=sem)
    return float(low), float(high)


def paired_ci(
    treated: np.ndarray, baseline: np.ndarray, level: float = LEVEL
) -> tuple[float, float, float, float]:
    """Mean paired difference ``treated - baseline`` (paired by position, i.e. by seed),
    its t interval and the paired t-test's two-sided p-value."""
    difference = np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float)
    low, high = mean_ci(difference, level)
    if len(difference) < 2 or np.ptp(difference) == 0:
        p_value = 0.0 if len(difference) > 1 and difference[0] != 0 else 1.0
    else:
        p_value = float(scipy_stats.ttest_1samp(difference, 0.0).pvalue)
    return float(difference.mean()), low, high, p_value


def bootstrap_ci(
    values: np.ndarray, level: float = LEVEL, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean: kept as the reference that under-covers at small
    n (tests/test_intervals.py); summaries use :func:`mean_ci`."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(resamples, len(values)), replace=True).mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def format_values(values: np.ndarray) -> str:
    """Seed values as a summary row keeps them: ``;``-separated, in seed order."""
    return ";".join(f"{v:.6g}" for v in np.asarray(values, dtype=float))


def summarise(frame: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """One row per group of ``by``: n, mean, std (ddof=1), ci_low, ci_high (t interval) of
    ``value``, and ``values``, the seed values in seed order (when ``frame`` has a seed)."""
    if "seed" in frame:
        frame = frame.sort_values("seed", kind="stable")

    def stats(group: pd.Series) -> pd.Series:
        values = group.to_numpy(dtype=float)
        low, high = mean_ci(values)
        return pd.Series(
            {
                "n": len(values),
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                "ci_low": low,
                "ci_high": high,
                "values": format_values(values),
            }
        )

    summary = frame.groupby(by, sort=True)[value].apply(stats).unstack()
    summary["n"] = summary["n"].astype(int)
    for column in ("mean", "std", "ci_low", "ci_high"):
        summary[column] = summary[column].astype(float)
    return summary.reset_index()
