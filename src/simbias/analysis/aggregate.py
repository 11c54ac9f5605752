"""Summaries over seeds: mean, standard deviation and a bootstrap 95% CI."""

from __future__ import annotations

import numpy as np
import pandas as pd

BOOTSTRAP_RESAMPLES = 2000


def bootstrap_ci(
    values: np.ndarray, level: float = 0.95, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean. With one value the interval is that value."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(resamples, len(values)), replace=True).mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def summarise(frame: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """One row per group of ``by``: n, mean, std (ddof=1), ci_low, ci_high of ``value``."""

    def stats(group: pd.Series) -> pd.Series:
        values = group.to_numpy()
        low, high = bootstrap_ci(values)
        return pd.Series(
            {
                "n": len(values),
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                "ci_low": low,
                "ci_high": high,
            }
        )

    summary = frame.groupby(by, sort=True)[value].apply(stats).unstack()
    summary["n"] = summary["n"].astype(int)
    return summary.reset_index()
