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
    null_p = rng.uniform(size=5)  # null: p uniform, covariances around 0
    assert not in_opposition(rng.normal(0.0, 0.1, 5), null_p)
    # null: below the permutation null but co-moving (covariance > 0), not opposing
    assert not in_opposition(np.array([0.4, 0.8, 0.2, 0.3, 0.1]), np.full(5, 0.005))
    # null: anti-phase, but no more than random groups of the same labels
    assert not in_opposition(np.full(5, -0.6), np.array([0.3, 0.6, 0.04, 0.5, 0.2]))
    assert not in_opposition(np.full(2, -0.9), np.array([0.01, 0.5]))  # half is not more
    assert not in_opposition(np.zeros(0), np.zeros(0))
    assert in_opposition(np.array([-0.9, -0.85, np.nan, -0.8, -0.86]), np.full(5, 0.005))


def test_opposing_groups_analysis_finds_no_opposition_in_unstructured_losses():
    # Losses without opposing structure, each seed's permutation p from the same analysis
    # the claim reads; before issue 15 these passed (correlations of -0.2 to -0.4).
    rng = np.random.default_rng(6)
    results = [
        opposing_signals_analysis(
            {"losses": 1 + 0.1 * rng.normal(size=(60, 400))},
            labels=rng.integers(0, 2, 400),
            seed=seed,
        )
        for seed in range(5)
    ]
    covariances = np.array([r["opposition_covariance"] for r in results])
    p_values = np.array([r["opposition_pvalue"] for r in results])
    assert not in_opposition(covariances, p_values)
    correlations = np.array([r["opposition_correlation"] for r in results])
    assert abs(correlations.mean()) < 0.2  # no built-in anti-correlation


@pytest.mark.parametrize(
    ("initial_ratio", "late_ratio"),
    [
        (1.04, 0.02),  # null: starts above 2/lr, catapults and decays to 0.2 (before issue 15)
        (0.06, 0.1),  # null: a small lr, sharpness never approaches 2/lr
        (0.95, 1.0),  # null: at 2/lr from initialisation, no progressive sharpening
        (0.25, 1.8),  # null: sharpens past 2/lr without hovering there
    ],
)
def test_edge_of_stability_fails_without_progressive_sharpening_to_two_over_lr(
    initial_ratio, late_ratio
):
    assert not at_edge_of_stability(initial_ratio, late_ratio)
    assert at_edge_of_stability(0.25, 1.02)


# --- USEFUL: SAM narrows the early fast-slow alignment gap --------------------------------
def test_narrower_gap_fails_on_two_regimes_with_one_gap_distribution():
    from simbias.report.claims.useful import narrower_gap

    rng = np.random.default_rng(7)
    assert not narrower_gap(np.full(5, 1.5), np.full(5, 1.5))  # GD vs GD: no difference
    assert not narrower_gap(np.array([0.1]), np.array([2.0]))  # one seed: no interval
    passes = np.mean([
        narrower_gap(rng.normal(1.5, 0.2, 5), rng.normal(1.5, 0.2, 5)) for _ in range(DRAWS)
    ])  # fmt: skip
    assert passes <= 0.04  # one-sided 2.5% by construction
    assert narrower_gap(np.array([0.2, 0.3, 0.1, 0.25, 0.2]), np.array([2.0, 2.1, 1.9, 2.0, 2.2]))


# --- Robust CNNs: input diversity and activation-map TV on null networks ------------------
def test_fewer_input_types_fails_on_channels_without_class_tuning():
    from simbias.analysis.neuron_simplicity import input_diversity

    rng = np.random.default_rng(7)
    labels = np.arange(400) % 4

    def seeds(tuned: float) -> np.ndarray:  # channels whose activation leans on one class
        values = []
        for _ in range(5):
            acts = rng.random((400, 16)) + tuned * (labels[:, None] == np.arange(16) % 4)
            values.append(input_diversity(torch.tensor(acts), labels, 10)["input_types"])
        return np.array(values)

    untuned = seeds(0.0)
    # null: two sets of untuned networks, one labelled robust
    assert not intervals_apart(_stat(seeds(0.0)), _stat(untuned), higher=False)
    assert intervals_apart(_stat(seeds(2.0)), _stat(untuned), higher=False)


def test_smoother_activations_fails_when_both_regimes_have_one_filter_distribution():
    from simbias.analysis.neuron_simplicity import model_simplicity

    rng = np.random.default_rng(8)
    x = torch.rand(30, 1, 10, 10, generator=torch.Generator().manual_seed(8))

    def tv(gain: float = 1.0) -> float:
        conv = torch.nn.Conv2d(1, 4, 5, padding=2, bias=False)
        with torch.no_grad():
            conv.weight.copy_(torch.tensor(gain * rng.normal(size=(4, 1, 5, 5)) / 5))
        model = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.Flatten())
        metrics = model_simplicity(model, x, np.zeros(30, int), None, top_k=5, noise_std=0.1)
        return metrics["mean_act_tv_noisy"]

    standard = np.array([tv() for _ in range(5)])
    # null: the "robust" filters are drawn as the standard ones
    assert not intervals_apart(_stat(np.array([tv() for _ in range(5)])), _stat(standard), False)
    # The measure is tv_obs.py's, unnormalised: a quarter of the gain reads as smoother.
    assert intervals_apart(_stat(np.array([tv(0.25) for _ in range(5)])), _stat(standard), False)
