"""The interval every summary and claim uses holds its level at the seed counts we run."""

from __future__ import annotations

import numpy as np
import pytest

from simbias.analysis.aggregate import bootstrap_ci, mean_ci, paired_ci

REPETITIONS = 2000


def _coverage(interval, n: int, rng: np.random.Generator) -> float:
    hits = 0
    for _ in range(REPETITIONS):
        low, high = interval(rng.normal(0.0, 1.0, n))
        hits += low <= 0.0 <= high
    return hits / REPETITIONS


@pytest.mark.parametrize("n", [3, 5, 10])
def test_t_interval_covers_the_mean_at_its_level_at_small_n(n):
    coverage = _coverage(mean_ci, n, np.random.default_rng(n))
    # Binomial sd at 2000 draws is 0.0049: 0.95 +- 0.015 is 3 sd (fixed seeds).
    assert 0.935 <= coverage <= 0.965


def test_percentile_bootstrap_under_covers_at_five_seeds():
    """Why summaries no longer use it: at n = 5 it covers about 0.85, not 0.95."""
    rng = np.random.default_rng(5)
    coverage = _coverage(lambda v: bootstrap_ci(v, resamples=400, seed=1), 5, rng)
    assert coverage < 0.90


def test_paired_interval_is_the_t_interval_of_the_differences():
    treated = np.array([0.82, 0.85, 0.80, 0.86, 0.84])
    baseline = treated - np.array([0.01, 0.02, 0.015, 0.03, 0.01])
    shift, low, high, p_value = paired_ci(treated, baseline)
    assert shift == pytest.approx(0.017)
    assert (low, high) == pytest.approx(mean_ci(treated - baseline))
    assert low < shift < high and 0 < p_value < 0.05


def test_degenerate_inputs_give_the_value_itself():
    assert mean_ci(np.array([0.3])) == (0.3, 0.3)
    assert mean_ci(np.array([0.492] * 5)) == pytest.approx((0.492, 0.492))
