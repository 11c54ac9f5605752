"""Every claim's criterion FAILs on a null input: data with no effect. A criterion that a
null passes would make its PASS rows meaningless, whatever the real runs show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

from simbias.analysis.aggregate import mean_ci
from simbias.analysis.opposing_signals import opposing_signals_analysis
from simbias.analysis.sb_metrics import accuracy_and_auc
from simbias.report.claims._base import intervals_apart
from simbias.report.claims.edge_of_stability import at_edge_of_stability
from simbias.report.claims.opposing_signals import in_opposition
from simbias.report.claims.pitfalls import relies_only_on_simple, simple_feature_decides
from simbias.report.claims.useful import learns_earlier, paired_improvement

DRAWS = 600


def _stat(values: np.ndarray) -> pd.Series:
    low, high = mean_ci(values)
    return pd.Series({"mean": values.mean(), "ci_low": low, "ci_high": high})


# --- Pitfalls ---------------------------------------------------------------------------
def test_extreme_sb_passes_the_papers_pattern_only():
    assert relies_only_on_simple(1.0, 0.507, 1.0)  # the paper's LMS-5 numbers


@pytest.mark.parametrize(
    "test, s_rand, sc_rand",
    [
        (1.0, 0.85, 0.90),  # null: a model that uses both features
        (0.99, 0.98, 0.55),  # null: a model that uses only the complex feature (the control)
        (0.52, 0.50, 0.51),  # null: a model that learned nothing
    ],
)
def test_extreme_sb_fails_on_a_model_without_it(test, s_rand, sc_rand):
    assert not relies_only_on_simple(test, s_rand, sc_rand)


def test_sec6_criterion_fails_when_the_simple_feature_does_not_decide():
    assert simple_feature_decides(1.0, 0.508)  # the paper's adversarial number
    assert not simple_feature_decides(0.99, 0.93)  # null: S-rand keeps the AUC
    assert not simple_feature_decides(0.55, 0.50)  # null: nothing learned


def test_auc_is_scored_on_logit_margins_that_saturate_a_float32_softmax():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    # Margins 20 to 60 (float32 softmax reads 1.0 for all of them), correlated with labels.
    margins = 20 + 40 * rng.random(400) + 8 * labels
    logits = torch.tensor(np.stack([np.zeros(400), margins], axis=1), dtype=torch.float32)
    assert torch.all(torch.softmax(logits, dim=1)[:, 1] == 1.0)  # the saturation
    measured = accuracy_and_auc(logits, labels)["auc"]
    assert measured == pytest.approx(roc_auc_score(labels, margins), abs=1e-6)
    assert measured > 0.65  # a probability AUC would read 0.5: every score ties


def test_multiclass_auc_is_one_vs_rest_on_logits():
    rng = np.random.default_rng(1)
    labels = np.arange(300) % 3
    logits = rng.normal(size=(300, 3)) * 30
    logits[np.arange(300), labels] += 45  # confident and mostly right
    auc = accuracy_and_auc(torch.tensor(logits, dtype=torch.float32), labels)["auc"]
    assert 0.9 < auc < 1.0
    null = accuracy_and_auc(torch.tensor(rng.normal(size=(300, 3)) * 30), labels)["auc"]
    assert abs(null - 0.5) < 0.06


# --- USEFUL ------------------------------------------------------------------------------
def test_paired_improvement_fails_on_two_regimes_from_one_distribution():
    rng = np.random.default_rng(2)
    assert not paired_improvement(np.full(5, 0.9), np.full(5, 0.9))
    passes = np.mean([
        paired_improvement(rng.normal(0.9, 0.01, 5), rng.normal(0.9, 0.01, 5))
        for _ in range(DRAWS)
    ])  # fmt: skip
    assert passes <= 0.04  # one-sided 2.5% by construction
    assert paired_improvement(np.array([0.92, 0.93, 0.91, 0.94, 0.92]), np.full(5, 0.9))


def test_learns_earlier_fails_when_both_learn_alike_or_neither_learns():
    rng = np.random.default_rng(3)
    assert not learns_earlier(np.full(5, np.inf), np.full(5, np.inf), horizon=401)
    same = np.mean([
        learns_earlier(rng.integers(50, 60, 5).astype(float),
                       rng.integers(50, 60, 5).astype(float), horizon=401)
        for _ in range(DRAWS)
    ])  # fmt: skip
    assert same <= 0.04
    assert learns_earlier(np.array([10.0, 12, 11, 9, 10]), np.full(5, np.inf), horizon=401)


# --- Robust CNNs, SAM flatter: intervals apart ---------------------------------------------
@pytest.mark.parametrize("higher", [True, False])
def test_intervals_apart_fails_on_two_draws_of_one_distribution(higher):
    rng = np.random.default_rng(4)
    apart = np.mean([
        intervals_apart(_stat(rng.normal(1, 0.1, 5)), _stat(rng.normal(1, 0.1, 5)), higher)
        for _ in range(DRAWS)
    ])  # fmt: skip
    assert apart <= 0.01
    assert intervals_apart(_stat(np.full(5, 2.0) + rng.normal(0, 0.01, 5)),
                           _stat(np.full(5, 1.0) + rng.normal(0, 0.01, 5)), True)  # fmt: skip


# --- Opposing signals, edge of stability ----------------------------------------------------
def test_opposition_criterion_fails_on_uncorrelated_groups():
    rng = np.random.default_rng(5)
    assert not in_opposition(_stat(rng.normal(0.0, 0.1, 5)))
    assert in_opposition(_stat(np.array([-0.9, -0.85, -0.88, -0.8, -0.86])))


@pytest.mark.xfail(
    strict=True,
    reason="issue 15: splitting the top-changing examples by the sign of a principal "
    "component builds anti-correlation in; loss curves without opposing structure pass",
)
def test_opposing_groups_analysis_finds_no_opposition_in_unstructured_losses():
    rng = np.random.default_rng(6)
    correlations = [
        opposing_signals_analysis({"losses": 1 + 0.1 * rng.normal(size=(60, 400))})[
            "opposition_correlation"
        ]
        for _ in range(5)
    ]
    assert not in_opposition(_stat(np.asarray(correlations)))


@pytest.mark.parametrize(
    "ratio",
    [
        2.3,  # null: sharpness only decays from an initial value above 2/lr (ours today)
        0.1,  # null: sharpness never approaches 2/lr (a small lr)
    ],
)
def test_edge_of_stability_fails_without_progressive_sharpening_to_two_over_lr(ratio):
    assert not at_edge_of_stability(ratio)
    assert at_edge_of_stability(1.05)
