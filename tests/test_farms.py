"""FARMS (Hu et al. 2025) as the paper's code computes it, what distinguishes it from one
fixed block (the control), and the claim's criterion on inputs where it must FAIL."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simbias.analysis.esd import esd, hill_alpha
from simbias.analysis.farms import (
    farms_alpha,
    farms_conv_alpha,
    farms_esd,
    farms_windows,
    single_block_alpha,
    single_block_esd,
    window_starts,
)
from simbias.analysis.spectra import (
    ESTIMATORS,
    SPECTRUM_METRICS,
    aspect_ratio_sweep,
    planted_alpha,
    random_matrix,
    sweep_summary,
)
from simbias.report.claims import CLAIMS, check_claims
from simbias.report.claims._base import Evidence
from simbias.report.claims.farms import (
    MAX_DRIFT,
    MAX_RECOVERY_ERROR,
    Reading,
    farms_criterion,
    max_spread_ratio,
    readings_of,
)

QS = (1, 2, 4, 8)
SHAPES = [(100 * q, 100) for q in QS]


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    """12 draws of each kind at Q = 1, 2, 4, 8 (about a second)."""
    return aspect_ratio_sweep(SHAPES, seed=0, draws=12)


def _readings(sweep: pd.DataFrame, estimator: str) -> dict[str, Reading]:
    return readings_of(pd.Series(sweep_summary(sweep)), estimator)


# --- the windows: FARMS's fixed_sampling grid, Q_ratio = 1, 9 per dimension -------------


def test_nine_window_starts_per_dimension_on_farms_grid():
    # Step (L - 100) // 8, the last start clipped to L - 100.
    assert window_starts(800, 100) == [87 * i for i in range(9)]
    assert window_starts(200, 100) == [12 * i for i in range(9)]
    assert window_starts(100, 100) == [0]  # a side of 100: one start
    assert window_starts(103, 100) == [0, 1, 2, 3]  # fewer distinct starts than 9
    with pytest.raises(ValueError):
        window_starts(50, 100)


def test_windows_are_100_square_81_of_them_and_pooled():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((800, 300))
    windows = farms_windows(w)
    assert len(windows) == 81 and {x.shape for x in windows} == {(100, 100)}
    pooled = farms_esd(w)
    assert len(pooled) == 81 * 100
    np.testing.assert_allclose(pooled, np.sort(np.concatenate([esd(x) for x in windows])))
    # Alpha is fitted once on the pooled ESD, not averaged over windows.
    assert farms_alpha(w) == pytest.approx(hill_alpha(pooled), rel=1e-12)
    assert farms_alpha(w) != pytest.approx(np.mean([hill_alpha(esd(x)) for x in windows]))
    tall = rng.standard_normal((800, 100))
    assert len(farms_windows(tall)) == 9 == len(farms_windows(tall.T))


def test_a_100_square_matrix_is_its_own_window_and_its_single_block():
    w = np.random.default_rng(1).standard_normal((100, 100))
    (window,) = farms_windows(w)
    np.testing.assert_array_equal(window, w)
    np.testing.assert_allclose(farms_esd(w), esd(w))
    np.testing.assert_allclose(single_block_esd(w), esd(w))
    assert (
        farms_alpha(w) == pytest.approx(single_block_alpha(w)) == pytest.approx(hill_alpha(esd(w)))
    )


def test_a_side_under_100_gets_square_windows_of_that_side():
    w = np.random.default_rng(2).standard_normal((300, 64))
    windows = farms_windows(w)
    assert len(windows) == 9 and {x.shape for x in windows} == {(64, 64)}
    assert math.isnan(farms_alpha(np.ones((2, 100))))  # 2 eigenvalues per window: no fit


def test_conv_alpha_averages_square_divisions_of_the_slices():
    rng = np.random.default_rng(3)
    slices = [rng.standard_normal((40, 20)) for _ in range(9)]  # 2 divisions of 20 x 20
    divisions = [
        hill_alpha(np.concatenate([esd(s[d * 20 : (d + 1) * 20]) for s in slices]))
        for d in range(2)
    ]
    assert farms_conv_alpha(slices) == pytest.approx(np.mean(divisions))
    # A slice stored wide is oriented tall first.
    assert farms_conv_alpha([s.T for s in slices]) == pytest.approx(np.mean(divisions))


# --- what FARMS fixes, against the plain estimate and the single block -----------------


def test_plain_alpha_drifts_with_q_on_gaussian_matrices_and_farms_does_not(sweep):
    readings = {name: _readings(sweep, name)["gauss"] for name in ESTIMATORS}
    # Marchenko-Pastur: the plain Hill alpha rises with Q (2.1 -> 4.5 measured).
    plain = [readings["alpha_hill"].means[q] for q in QS]
    assert np.all(np.diff(plain) > 0) and readings["alpha_hill"].drift() > 1.0
    assert readings["farms_alpha"].drift() <= MAX_DRIFT
    assert readings["farms_alpha"].drift() < readings["alpha_hill"].drift() / 10


def test_farms_recovers_the_planted_tail_at_every_q(sweep):
    target = planted_alpha()  # 1 + mu/2 = 1.5 for mu = 1
    assert target == 1.5
    farms, plain = (_readings(sweep, name)["pareto"] for name in ("farms_alpha", "alpha_hill"))
    # Within MAX_RECOVERY_ERROR (0.25: closer to 1.5 than to the class boundary at 2).
    assert farms.error(target) <= MAX_RECOVERY_ERROR
    # And flatter over Q than the plain estimate (mu < 2: theory predicts little drift
    # for either; FARMS's windows all have one shape, the plain ESD's grows with Q).
    assert farms.drift() < plain.drift()


def test_farms_spreads_less_over_draws_than_a_single_block(sweep):
    for kind in ("gauss", "pareto"):
        farms = _readings(sweep, "farms_alpha")[kind]
        single = _readings(sweep, "single_block_alpha")[kind]
        assert farms.sds[1] == single.sds[1]  # Q = 1: one and the same window
        assert farms.sds[8] < single.sds[8] / 1.5, kind
        assert farms.spread_ratio() < single.spread_ratio(), kind


def test_the_sweep_is_drawn_from_its_seed_and_summarised_flat():
    small = [(24, 24), (48, 24)]
    first, again = aspect_ratio_sweep(small, seed=5, draws=3), aspect_ratio_sweep(small, 5, 3)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(aspect_ratio_sweep(small, seed=6, draws=3))
    summary = sweep_summary(first)
    assert set(summary) == {
        f"{kind}_q{q}_{m}" for kind in ("gauss", "pareto") for q in (1, 2) for m in SPECTRUM_METRICS
    }
    assert all(isinstance(v, float) and math.isfinite(v) for v in summary.values())


def test_pareto_entries_have_the_planted_tail_index():
    w = random_matrix("pareto", (400, 400), np.random.default_rng(0), mu=1.0)
    magnitudes = np.abs(w).ravel()
    assert magnitudes.min() >= 1 and abs(np.mean(w > 0) - 0.5) < 0.01
    # P(|w| > x) = 1/x: the Hill estimate of the entries' own tail index is mu = 1.
    assert hill_alpha(magnitudes) - 1 == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError):
        planted_alpha(3.0)  # 2 < mu < 4: no Q-free exponent


# --- the criterion: it passes FARMS, and FAILs every null input ------------------------


def _reading(means, sds) -> Reading:
    return Reading(dict(zip(QS, means, strict=True)), dict(zip(QS, sds, strict=True)))


GOOD = {
    "gauss": _reading([2.15, 2.12, 2.12, 2.12], [0.036, 0.018, 0.015, 0.013]),
    "pareto": _reading([1.40, 1.40, 1.40, 1.40], [0.040, 0.030, 0.025, 0.018]),
}


def test_criterion_thresholds_are_the_stated_ones():
    assert (MAX_DRIFT, MAX_RECOVERY_ERROR) == (0.25, 0.25)
    assert max_spread_ratio(8) == pytest.approx(0.5)


def test_criterion_passes_a_flat_precise_estimate():
    judged = farms_criterion(GOOD, 1.5)
    assert judged.passed and judged.spread_ratio["gauss"] == pytest.approx(0.013 / 0.036)


@pytest.mark.parametrize(
    "null",
    [
        # values that drift with Q (the plain estimate on Marchenko-Pastur spectra)
        {"gauss": _reading([2.15, 2.74, 3.49, 4.53], [0.036, 0.018, 0.015, 0.013])},
        # a single block: flat, but its spread does not shrink with Q
        {
            "gauss": _reading([2.15, 2.14, 2.15, 2.15], [0.036, 0.035, 0.036, 0.037]),
            "pareto": _reading([1.40, 1.41, 1.42, 1.41], [0.040, 0.045, 0.055, 0.043]),
        },
        # flat and precise but off the planted tail
        {"pareto": _reading([1.85, 1.85, 1.85, 1.85], [0.040, 0.030, 0.025, 0.018])},
        # drift just over MAX_DRIFT at one Q
        {"pareto": _reading([1.40, 1.40, 1.40, 1.66], [0.040, 0.030, 0.025, 0.018])},
        # a NaN spread (one draw)
        {"gauss": _reading([2.15, 2.12, 2.12, 2.12], [math.nan] * 4)},
    ],
)
def test_criterion_fails_null_inputs(null):
    assert not farms_criterion({**GOOD, **null}, 1.5).passed


def test_criterion_fails_the_plain_estimator_and_the_single_block_on_a_sweep(sweep):
    assert farms_criterion(_readings(sweep, "farms_alpha"), planted_alpha()).passed
    assert not farms_criterion(_readings(sweep, "alpha_hill"), planted_alpha()).passed
    assert not farms_criterion(_readings(sweep, "single_block_alpha"), planted_alpha()).passed


# --- the claim row ----------------------------------------------------------------------


def _summary(values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for key, mean in values.items():
        split, _, metric = key.rpartition("_")
        rows.append({"experiment": "e", "dataset": "d", "model": "m", "regime": "sgd",
                     "split": split, "metric": metric, "key": key, "n": 5, "mean": mean,
                     "std": 0.0, "ci_low": mean, "ci_high": mean})  # fmt: skip
    return pd.DataFrame(rows)


def _values(readings: dict[str, dict[str, Reading]]) -> dict[str, float]:
    values = {"pareto_planted_alpha": 1.5}
    for estimator, by_kind in readings.items():
        for kind, reading in by_kind.items():
            for q in QS:
                values[f"{kind}_q{q}_{estimator}"] = reading.means[q]
                values[f"{kind}_q{q}_{estimator}_sd"] = reading.sds[q]
    return values


PLAIN = {
    "gauss": _reading([2.15, 2.74, 3.49, 4.53], [0.036, 0.05, 0.06, 0.10]),
    "pareto": _reading([1.40, 1.45, 1.48, 1.49], [0.040, 0.06, 0.07, 0.07]),
}
SINGLE = {
    "gauss": _reading([2.15, 2.14, 2.15, 2.15], [0.036, 0.035, 0.036, 0.037]),
    "pareto": _reading([1.40, 1.41, 1.42, 1.41], [0.040, 0.045, 0.055, 0.043]),
}


def _row(farms, single):
    values = _values({"alpha_hill": PLAIN, "farms_alpha": farms, "single_block_alpha": single})
    evidence = Evidence(summaries={"aspect_ratio": _summary(values)})
    table = check_claims(evidence, {"e": {"claims": ["farms_removes_aspect_ratio_bias"]}})
    assert len(table) == 1  # one row: no KS-fitted row any more
    return table.iloc[0]


def test_claim_row_carries_the_farms_paper_and_the_single_block_control():
    row = _row(GOOD, SINGLE)
    paper = CLAIMS.get("farms_removes_aspect_ratio_bias").meta["paper"]
    assert paper.startswith("Hu et al. 2025") and "FARMS" in paper and row["paper"] == paper
    assert "single" in row["control"] and "100 x 100" in row["control"]
    assert (row["verdict"], row["control_verdict"]) == ("PASS", "FAIL")
    assert "KS" not in row["criterion"] and row["variant"] == ""


def test_claim_cannot_tell_when_the_single_block_passes_too_and_fails_with_plain_farms():
    assert _row(GOOD, GOOD)["verdict"] == "CANNOT TELL"
    row = _row(PLAIN, SINGLE)
    assert (row["verdict"], row["control_verdict"]) == ("FAIL", "FAIL")
