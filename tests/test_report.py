"""Summaries over seeds and the claims table: numbers and verdicts follow the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simbias.analysis.aggregate import bootstrap_ci, summarise
from simbias.report.claims import Evidence, ExtremeSimplicityBias, check_claims


def test_bootstrap_ci_brackets_the_mean_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small, large = rng.normal(0.7, 0.05, 5), rng.normal(0.7, 0.05, 200)
    low_s, high_s = bootstrap_ci(small)
    low_l, high_l = bootstrap_ci(large)
    assert low_s <= small.mean() <= high_s and low_l <= large.mean() <= high_l
    assert high_l - low_l < high_s - low_s
    assert bootstrap_ci(np.array([0.3])) == (0.3, 0.3)


def test_summarise_gives_mean_std_and_n_per_group():
    frame = pd.DataFrame({"g": ["a", "a", "a", "b"], "value": [1.0, 2.0, 3.0, 5.0]})
    summary = summarise(frame, ["g"]).set_index("g")
    assert summary.loc["a", "mean"] == 2.0 and summary.loc["a", "std"] == 1.0
    assert summary.loc["a", "n"] == 3 and summary.loc["b", "std"] == 0.0


def _summary(test, s_rand, sc_rand, n=3):
    rows = []
    for split, value in (("test", test), ("s_rand", s_rand), ("sc_rand", sc_rand)):
        for metric in ("auc", "accuracy"):
            rows.append(
                {
                    "experiment": "e",
                    "dataset": "d",
                    "model": "m",
                    "regime": "sgd",
                    "split": split,
                    "metric": metric,
                    "n": n,
                    "mean": value,
                    "std": 0.01,
                    "ci_low": value - 0.01,
                    "ci_high": value + 0.01,
                }
            )
    return pd.DataFrame(rows)


SPEC = {
    "experiments": {
        "e": {
            "dataset": "d",
            "model": "m",
            "claims": ["extreme_simplicity_bias"],
            "paper": "P",
            "reference": {"s_rand_auc": 0.507},
        }
    }
}


@pytest.mark.parametrize(
    "test, s_rand, sc_rand, verdict",
    [
        (1.00, 0.51, 1.00, "PASS"),  # the paper's LMS-5 pattern
        (1.00, 0.75, 1.00, "FAIL"),  # the network also uses complex features
        (1.00, 0.50, 0.80, "FAIL"),  # complex features matter: S^c-rand drops
        (0.55, 0.50, 0.55, "FAIL"),  # the network never learned the task
    ],
)
def test_extreme_sb_verdict_follows_the_measurements(test, s_rand, sc_rand, verdict):
    claims = check_claims(Evidence(summaries={"sb_metrics": _summary(test, s_rand, sc_rand)}), SPEC)
    assert list(claims["verdict"]) == [verdict]
    row = claims.iloc[0]
    assert f"S-rand {s_rand:.3f}" in row["measured"]
    assert "s_rand AUC 0.507" in row["paper_reports"]
    assert row["criterion"] == ExtremeSimplicityBias().criterion() and row["n_seeds"] == 3


def _runs(treated_minus_baseline, n=5):
    rows = []
    for seed in range(n):
        base = 0.80 + 0.01 * seed
        for regime, value in (("sgd", base), ("useful", base + treated_minus_baseline[seed])):
            rows.append(
                {
                    "experiment": "u",
                    "dataset": "d",
                    "model": "m",
                    "regime": regime,
                    "seed": seed,
                    "test_accuracy": value,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "differences, verdict",
    [
        ([0.02, 0.03, 0.01, 0.02, 0.025], "PASS"),  # consistent gain
        ([0.05, -0.04, 0.03, -0.03, 0.0], "FAIL"),  # CI of the paired difference includes 0
        ([-0.02, -0.01, -0.03, -0.02, -0.02], "FAIL"),  # a loss
    ],
)
def test_useful_claim_uses_the_paired_difference(differences, verdict):
    spec = {
        "experiments": {
            "u": {
                "dataset": "d",
                "model": "m",
                "claim_pairs": [["useful", "sgd"]],
                "claims": ["useful_improves_test_accuracy"],
            }
        }
    }
    claims = check_claims(Evidence(runs=_runs(differences)), spec)
    assert list(claims["verdict"]) == [verdict]
    assert f"{np.mean(differences):+.4f}" in claims.iloc[0]["measured"]


def test_sam_earlier_claim_compares_first_crossing_epochs():
    rows = []
    for seed in range(3):
        for epoch in range(1, 11):
            # GD's slow alignment grows linearly to 1.0; SAM's twice as fast.
            rows.append(
                {
                    "experiment": "p",
                    "regime": "gd",
                    "seed": seed,
                    "epoch": epoch,
                    "align_slow": epoch / 10,
                }
            )
            rows.append(
                {
                    "experiment": "p",
                    "regime": "sam",
                    "seed": seed,
                    "epoch": epoch,
                    "align_slow": min(1.0, epoch / 5),
                }
            )
    spec = {
        "experiments": {
            "p": {"dataset": "d", "model": "m", "claims": ["sam_learns_slow_feature_earlier"]}
        }
    }
    claims = check_claims(Evidence(histories=pd.DataFrame(rows)), spec)
    row = claims.iloc[0]
    assert row["verdict"] == "PASS"
    # threshold = 0.5 x GD's final 1.0: GD crosses at epoch 5, SAM at epoch 3.
    assert "gd 5.000" in row["measured"] and "sam 3.000" in row["measured"]
    swapped = pd.DataFrame(rows).replace({"regime": {"gd": "sam", "sam": "gd"}})
    assert check_claims(Evidence(histories=swapped), spec).iloc[0]["verdict"] == "FAIL"
