"""Opposing-signals analysis on planted loss curves, and the opposing-signals dataset."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simbias.analysis.opposing_signals import (
    edge_of_stability,
    group_size,
    loss_change_ranking,
    null_scores,
    opposing_groups,
    opposing_signals_analysis,
    opposition_covariance,
    opposition_score,
    permutation_p,
    split_windows,
)
from simbias.data.base import GENERATORS, get_generator
from simbias.data.generators.opposing_signals import OpposingSignalsDataset
from simbias.data.store import load_split, write_dataset

T, N = 40, 200
GROUP_A, GROUP_B = np.arange(10, 15), np.arange(100, 105)


def planted_losses(seed: int = 0) -> np.ndarray:
    """Slowly decaying noisy losses; GROUP_A and GROUP_B swing in opposite phase."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)[:, None]
    losses = np.exp(-t / 30) * (1 + 0.05 * rng.random(N)) + 0.01 * rng.standard_normal((T, N))
    swing = np.sin(t * 1.3)
    losses[:, GROUP_A] += 0.5 + 0.4 * swing + 0.02 * rng.standard_normal((T, len(GROUP_A)))
    losses[:, GROUP_B] += 0.5 - 0.4 * swing + 0.02 * rng.standard_normal((T, len(GROUP_B)))
    return losses


def planted_labels(seed: int = 0) -> np.ndarray:
    """Random labels, GROUP_A all 0 and GROUP_B all 1 (the opposing pair)."""
    labels = np.random.default_rng(seed + 100).integers(0, 2, N)
    labels[GROUP_A], labels[GROUP_B] = 0, 1
    return labels


def test_ranking_puts_the_swinging_examples_first():
    top = loss_change_ranking(planted_losses())[:10]
    assert set(top) == set(GROUP_A) | set(GROUP_B)


def test_windows_share_no_loss_record():
    windows = split_windows(40, 0.5)
    assert (windows.select_end, windows.score_start) == (20, 21)
    assert split_windows(10, 0.05).select_end == 2  # at least one change to select on
    with pytest.raises(ValueError, match="too few"):
        split_windows(5, 0.5)
    with pytest.raises(ValueError, match="select_share"):
        split_windows(40, 1.0)
    assert group_size(0.05, 200) == 5 and group_size(10, 200) == 5 and group_size(7, 3) == 1
    with pytest.raises(ValueError, match="top"):
        group_size(1.5, 200)


def test_planted_groups_are_the_largest_rise_and_fall_and_oppose():
    losses = planted_losses()
    groups = opposing_groups(losses, planted_labels(), top=10, select_end=20)
    found = {tuple(groups.index_a), tuple(groups.index_b)}
    assert found == {tuple(GROUP_A), tuple(GROUP_B)}
    t = groups.iteration
    assert 0 <= t < 19
    # The rising group rose at the selecting change, the falling one fell.
    assert losses[t + 1, groups.index_a].mean() > losses[t, groups.index_a].mean()
    assert losses[t + 1, groups.index_b].mean() < losses[t, groups.index_b].mean()
    assert opposition_score(groups.curve_a[21:], groups.curve_b[21:]) < -0.95
    assert sorted([groups.labels_a, groups.labels_b], key=lambda c: list(c)) == [{0: 5}, {1: 5}]


def test_groups_must_differ_in_label():
    losses = planted_losses()
    labels = np.zeros(N, dtype=int)  # one label: no pair can differ
    groups = opposing_groups(losses, labels, top=10, select_end=20)
    assert not groups.found and len(groups.index_a) == len(groups.index_b) == 0
    result = opposing_signals_analysis({"losses": losses}, labels=labels)
    assert result["groups_label_differ"] == 0 and result["opposition_pvalue"] == 1
    assert math.isnan(result["opposition_correlation"])


def test_in_phase_swings_do_not_oppose():
    # The top-changing examples all move together: no split of them can be built to oppose.
    rng = np.random.default_rng(1)
    losses = 1 + 0.01 * rng.standard_normal((T, N))
    losses[:, :10] += 0.3 * np.sin(np.arange(T) * 1.3)[:, None]
    labels = rng.integers(0, 2, N)
    result = opposing_signals_analysis({"losses": losses}, labels=labels, top=10)
    assert not (result["opposition_covariance"] < 0 and result["opposition_pvalue"] < 0.05)


def test_opposition_score_of_shapes():
    t = np.arange(20.0)
    assert opposition_covariance(np.sin(t), -3 * np.sin(t)) == pytest.approx(
        -3 * np.var(np.diff(np.sin(t)))
    )
    assert opposition_covariance(np.sin(t), 2 * np.sin(t)) > 0
    assert math.isnan(opposition_covariance(np.ones(1), np.ones(1)))
    assert opposition_score(np.sin(t), -np.sin(t)) == pytest.approx(-1)
    assert opposition_score(np.sin(t), 2 * np.sin(t) + 1) == pytest.approx(1)
    assert math.isnan(opposition_score(np.ones(20), np.sin(t)))


def test_null_keeps_sizes_and_labels_and_p_counts_the_observed():
    losses, labels = planted_losses(), planted_labels()
    rng = np.random.default_rng(0)
    null = null_scores(losses[21:], labels, GROUP_A, GROUP_B, 50, rng)
    assert null.shape == (50, 2) and np.isfinite(null).all()
    assert np.median(null[:, 0]) > 0 and np.median(null[:, 1]) > 0  # the common decay
    observed = opposition_covariance(losses[21:, GROUP_A].mean(1), losses[21:, GROUP_B].mean(1))
    assert observed < null[:, 1].min()
    assert permutation_p(observed, null[:, 1]) == pytest.approx(1 / 51)
    assert permutation_p(2.0, null[:, 1]) == 1.0
    assert permutation_p(math.nan, null[:, 1]) == 1.0
    assert permutation_p(0.0, np.full(3, np.nan)) == 1.0


def test_a_class_wide_swing_is_in_the_null():
    # Every class-0 example swings against every class-1 example, as much as each other:
    # the top rise and fall oppose, but no more than any groups of those labels.
    rng = np.random.default_rng(2)
    labels = np.arange(N) % 2
    swing = np.sin(np.arange(T) * 1.3)[:, None] * np.where(labels == 0, 1.0, -1.0)
    losses = 1 + 0.3 * swing + 0.05 * rng.standard_normal((T, N))
    result = opposing_signals_analysis({"losses": losses}, labels=labels, top=10)
    assert result["opposition_correlation"] < -0.9
    assert result["opposition_null_correlation"] < -0.9
    assert result["opposition_covariance"] < 0 and result["opposition_pvalue"] > 0.05


def test_outsized_swings_beyond_a_class_wide_swing_are_found():
    # The classes swing against each other a little; ten examples swing far more.
    rng = np.random.default_rng(3)
    labels = np.arange(N) % 2
    sign = np.where(labels == 0, 1.0, -1.0)
    sign[:10] *= 10  # examples 0..9: five of each class, ten times the swing
    swing = 0.03 * np.sin(np.arange(T) * 1.3)[:, None] * sign
    losses = 1 + swing + 0.01 * rng.standard_normal((T, N))
    result = opposing_signals_analysis({"losses": losses}, labels=labels, top=10)
    assert result["opposition_null_correlation"] < -0.5  # phase alone cannot tell them
    assert result["opposition_covariance"] < 10 * result["opposition_null_covariance"] < 0
    assert result["opposition_pvalue"] < 0.05


def test_run_level_analysis_recovers_the_planted_outliers():
    losses = planted_losses()
    tracked = np.arange(N) * 2  # every other train example is tracked
    outlier = np.zeros(2 * N, dtype=np.int8)
    outlier[tracked[GROUP_A]] = outlier[tracked[GROUP_B]] = 1
    labels = np.zeros(2 * N, dtype=np.int64)
    labels[tracked] = planted_labels()
    dynamics = {
        "steps": np.arange(T) * 10,
        "losses": losses.astype(np.float32),
        "tracked_index": tracked,
        "sharpness": np.where(np.arange(T) % 2, np.nan, np.linspace(1, 19, T)),
        "lr": np.full(T, 0.1),
    }
    result = opposing_signals_analysis(dynamics, labels, outlier_mask=outlier, top=0.05)
    assert all(isinstance(v, float) for v in result.values())
    assert result["group_a_size"] == result["group_b_size"] == 5
    assert result["outlier_fraction_in_groups"] == 1.0
    assert result["outlier_recall"] == 1.0
    assert result["groups_label_differ"] == 1.0
    assert result["select_step"] < result["select_end_step"] < result["score_start_step"]
    assert result["opposition_correlation"] < -0.95
    assert result["opposition_pvalue"] == pytest.approx(1 / 201)
    assert result["opposition_null_covariance"] > 0
    assert result["two_over_lr"] == pytest.approx(20)
    # The same seed draws the same null.
    again = opposing_signals_analysis(dynamics, labels, outlier_mask=outlier, top=0.05)
    assert again["opposition_null_covariance"] == result["opposition_null_covariance"]


def test_edge_of_stability_summary():
    sharpness = np.array([2.0, np.nan, 10.0, 17.0, 19.0, np.nan, 21.0])
    lr = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2])  # 2/lr = 20, last step 10
    eos = edge_of_stability(sharpness, lr)
    assert eos["final_sharpness"] == 21 and eos["max_sharpness"] == 21
    assert eos["two_over_lr"] == pytest.approx(10)
    assert eos["sharpness_over_two_over_lr"] == pytest.approx(2.1)
    # Measured: 2, 10, 17, 19, 21; later half 17, 19, 21 vs 0.9 * (20, 20, 10).
    assert eos["fraction_above_90pct"] == pytest.approx(2 / 3)
    assert all(math.isnan(v) for v in edge_of_stability(np.full(3, np.nan), lr[:3]).values())


def test_dataset_is_deterministic_with_the_planted_outliers():
    gen = get_generator(
        "opposing_signals", {"n_train": 400, "n_test": 100, "dim": 8, "outlier_dims": 3}
    )
    a, b, c = gen.generate(3), gen.generate(3), gen.generate(4)
    for name in ("train", "test"):
        np.testing.assert_array_equal(a.splits[name].x, b.splits[name].x)
        np.testing.assert_array_equal(
            a.splits[name].attributes["outlier"], b.splits[name].attributes["outlier"]
        )
    assert not np.array_equal(a.splits["train"].x, c.splits["train"].x)
    train = a.splits["train"]
    assert train.x.shape == (400, 11) and a.input_range is None
    outlier = train.attributes["outlier"].astype(bool)
    assert outlier.sum() == 20  # 5% of 400
    assert np.bincount(train.y[outlier]).tolist() == [10, 10]
    # Outliers share one large vector in the last 3 columns; others are unit noise there.
    extra = train.x[:, 8:]
    shared = np.sign(extra[outlier].mean(axis=0))
    assert np.all(np.abs(extra[outlier] * shared - 10) < 5)
    assert np.abs(extra[~outlier]).mean() < 1.0
    assert a.splits["test"].attributes["outlier"].sum() == 5
    assert GENERATORS.get("opposing_signals").obj is OpposingSignalsDataset
    assert isinstance(gen, OpposingSignalsDataset)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"n_train": 0}, "n_train"),
        ({"outlier_fraction": 0.9}, "outlier_fraction"),
        ({"outlier_scale": -1}, "outlier_scale"),
        ({"n_classes": 7}, "n_classes"),
        ({"opposing_classes": [1, 1]}, "opposing_classes"),
        ({"opposing_classes": [0, 2]}, "opposing_classes"),  # only classes 0 and 1
        ({"opposing_classes": [0, 1, 2]}, "opposing_classes"),
        ({"dim": True}, "dim"),
    ],
)
def test_bad_params_are_named(params, name):
    with pytest.raises(ValueError, match=f"dataset kind opposing_signals params.*{name}"):
        get_generator("opposing_signals", params)


def test_attributes_survive_the_store(tmp_path):
    dataset = get_generator("opposing_signals", {"n_train": 200, "n_test": 60, "dim": 4}).generate(
        0
    )
    write_dataset(tmp_path, "opp", dataset, seed=0)
    for name in ("train", "test"):
        split = load_split(tmp_path, name)
        expected = dataset.splits[name].attributes["outlier"]
        np.testing.assert_array_equal(split.attributes["outlier"], expected)
        assert split.attributes["outlier"].dtype == np.int8
