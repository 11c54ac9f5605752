"""The edge-of-stability analysis (simbias.analysis.edge_of_stability) on sharpness curves
whose statistics are known, and the claim's criterion on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simbias.analysis.edge_of_stability import (
    edge_of_stability_analysis,
    edge_of_stability_stats,
)
from simbias.report.claims._base import CLAIMS, Evidence
from simbias.report.claims.edge_of_stability import at_edge_of_stability
from simbias.report.tables import summarise_metrics

LR = 0.2  # 2 / lr = 10
STEPS = np.arange(0, 3001, 100)


def _lr() -> np.ndarray:
    return np.full(len(STEPS), LR)


def rising_to_the_edge() -> np.ndarray:
    """Progressive sharpening from 2.5 to 2/lr by step 1600, then hovering at 2/lr."""
    return np.minimum(2.5 + 7.5 * STEPS / 1600, 10.0) + 0.2 * np.sin(STEPS)


def test_a_curve_that_rises_to_two_over_lr_is_at_the_edge():
    stats = edge_of_stability_stats(STEPS, rising_to_the_edge(), _lr())
    assert stats["initial_sharpness"] == pytest.approx(2.5)
    assert stats["initial_ratio"] == pytest.approx(0.25)
    assert stats["edge_threshold"] == pytest.approx(10.0)
    assert stats["late_ratio"] == pytest.approx(1.0, abs=0.03)  # steps 2000..3000
    assert stats["max_ratio"] <= 1.03
    assert at_edge_of_stability(stats["initial_ratio"], stats["late_ratio"])


@pytest.mark.parametrize(
    "curve",
    [
        # null: starts above 2/lr, catapults and decays to 0.2 (ours before issue 15)
        10.4 * np.exp(-STEPS / 300) + 0.2,
        # null: a small lr, sharpness rises but stays far below 2/lr
        2.5 + 1.5 * STEPS / 3000,
        # null: at 2/lr from the start, no sharpening to see
        np.full(len(STEPS), 10.0),
        # null: sharpens past the edge and keeps rising (diverging, not hovering)
        2.5 + 20 * STEPS / 3000,
    ],
)
def test_curves_without_sharpening_to_the_edge_fail(curve):
    stats = edge_of_stability_stats(STEPS, curve, _lr())
    assert not at_edge_of_stability(stats["initial_ratio"], stats["late_ratio"])


def test_unmeasured_steps_are_skipped_and_the_last_third_is_by_step():
    sharpness = np.full(len(STEPS), np.nan)
    sharpness[::5] = rising_to_the_edge()[::5]  # measured every 500 steps
    stats = edge_of_stability_stats(STEPS, sharpness, _lr())
    assert stats["final_sharpness"] == pytest.approx(sharpness[-1])
    late = sharpness[STEPS >= 2000]
    assert stats["late_sharpness"] == pytest.approx(np.nanmedian(late))


def test_too_few_measurements_are_refused_with_the_setting_to_change():
    with pytest.raises(ValueError, match="sharpness_every"):
        edge_of_stability_stats(np.arange(3), np.array([1.0, np.nan, np.nan]), np.ones(3))
    with pytest.raises(ValueError, match="equal 1-D"):
        edge_of_stability_stats(np.arange(3), np.ones(2), np.ones(3))


def test_the_analysis_adds_the_final_training_loss():
    losses = np.array([[1.0, 3.0], [0.5, 0.25]])
    dynamics = {"steps": np.array([0, 10]), "sharpness": np.array([1.0, 2.0]),
                "lr": np.array([0.1, 0.1]), "losses": losses}  # fmt: skip
    result = edge_of_stability_analysis(dynamics)
    assert result["final_loss"] == pytest.approx(0.375)
    # Every key parts into split / metric at its last underscore (the metrics tables).
    assert all("_" in key for key in result)
    with pytest.raises(ValueError, match="losses"):
        edge_of_stability_analysis({k: v for k, v in dynamics.items() if k != "losses"})


def _summary(results: dict[str, list[dict[str, float]]]) -> pd.DataFrame:
    """The summary the aggregation writes from per-seed analysis results, per regime."""
    rows = [
        {"experiment": "e", "dataset": "d", "model": "m", "regime": regime, "seed": seed,
         "split": key.rpartition("_")[0], "metric": key.rpartition("_")[2], "key": key,
         "value": value}
        for regime, per_seed in results.items()
        for seed, result in enumerate(per_seed)
        for key, value in result.items()
    ]  # fmt: skip
    return summarise_metrics(pd.DataFrame(rows))


def _analysed(curve: np.ndarray, loss: float = 0.05) -> dict[str, float]:
    losses = np.full((len(STEPS), 4), loss)
    return edge_of_stability_analysis(
        {"steps": STEPS, "sharpness": curve, "lr": _lr(), "losses": losses}
    )


def _rows(claim: str, results, spec) -> list:
    evidence = Evidence(summaries={"edge_of_stability": _summary(results)})
    return CLAIMS.get(claim).obj().rows(evidence, "e", {"dataset": "d", "model": "m", **spec})


def test_the_claim_passes_only_when_every_seed_is_at_the_edge():
    rng = np.random.default_rng(0)
    at_edge = [
        _analysed(rising_to_the_edge() + 0.1 * rng.normal(size=len(STEPS))) for _ in range(5)
    ]
    (row,) = _rows("sharpness_reaches_two_over_lr", {"gd": at_edge}, {})
    assert row.claim_passed and "5 of 5 seeds" in row.measured
    decayed = _analysed(10.4 * np.exp(-STEPS / 300) + 0.2)  # one seed catapults and decays
    (row,) = _rows("sharpness_reaches_two_over_lr", {"gd": [*at_edge[:4], decayed]}, {})
    assert not row.claim_passed and "4 of 5 seeds" in row.measured


def test_sam_flatter_reads_the_late_sharpness_and_fails_against_itself():
    rng = np.random.default_rng(1)
    gd = [_analysed(rising_to_the_edge() + 0.1 * rng.normal(size=len(STEPS))) for _ in range(5)]
    sam = [_analysed(np.full(len(STEPS), 3.0) + 0.1 * rng.normal(size=len(STEPS)))
           for _ in range(5)]  # fmt: skip
    results = {"gd": gd, "gd+sam": sam}
    (row,) = _rows("sam_ends_flatter", results, {})
    assert row.claim_passed and "final training loss" in row.measured
    (null,) = _rows("sam_ends_flatter", results, {"claim_pairs": [["gd", "gd"]]})
    assert not null.claim_passed


def test_a_run_with_one_sharpness_measurement_gets_nan_statistics_not_a_failed_job():
    from simbias.analysis.edge_of_stability import STAT_KEYS, edge_of_stability_analysis

    dynamics = {
        "steps": np.arange(3),
        "sharpness": np.array([1.0, np.nan, np.nan]),
        "lr": np.ones(3),
        "losses": np.ones((3, 4)),
    }
    result = edge_of_stability_analysis(dynamics)
    assert all(np.isnan(result[key]) for key in STAT_KEYS)
    assert result["final_loss"] == 1.0
    full = edge_of_stability_stats(STEPS, rising_to_the_edge(), _lr())
    assert set(full) == set(STAT_KEYS)
