"""The icl_regression analysis (issue 17): its power readout recovers a planted frequency and
reproduces the issue's reference numbers for the closed-form predictors; on a trained run it
measures every predictor at every context size."""

from __future__ import annotations

import math

import pytest
import torch

from simbias.analysis import run_group_analysis
from simbias.analysis.icl_regression import (
    PREDICTORS,
    power_by_examples,
    reference_predictors,
)
from simbias.data.base import get_generator
from simbias.data.prompt_stream import PromptStream
from simbias.data.store import write_dataset
from simbias.train.run import train_run

MIXTURE = PromptStream(task="fourier_series_mixture", points=11, dim=1, max_frequency=4,
                       half_period=5.0, standardize=True)  # fmt: skip


def tone(frequency: int):
    """A predictor whose fit, whatever the context, is cos(pi f x / L) plus a constant."""

    def predict(xs, ys, queries):
        return 0.7 + torch.cos(math.pi * frequency * queries[..., 0] / MIXTURE.half_period)

    return predict


def test_the_power_readout_recovers_a_planted_frequency():
    planted = {f"f{f}": tone(f) for f in (1, 2, 3, 4)}
    result = power_by_examples(planted, MIXTURE, seed=0, functions=3, max_examples=2)
    for f in (1, 2, 3, 4):
        for m in range(1, 5):
            share = result[f"f{f}_m{m}k1power"]
            if f > m:  # all its power lies above the functions' maximum frequency
                assert share > 0.85, (f, m, share)
            else:  # only what their endpoint grid leaks (tests/test_icl_bayes.py)
                assert share < 0.15, (f, m, share)


def test_the_reference_predictors_give_the_issues_reference_numbers():
    """Issue 17: functions of maximum frequency 1, 3 to 5 examples, N = 4: Bayes 0.001 to
    0.005 of its power above 1, ridge on every frequency 0.35 to 0.59."""
    result = power_by_examples(reference_predictors(MIXTURE, "mixture"), MIXTURE, seed=5,
                               functions=200, max_examples=5)  # fmt: skip
    bayes = [result[f"bayes_m1k{k}power"] for k in (3, 4, 5)]
    ridge = [result[f"ridge_m1k{k}power"] for k in (3, 4, 5)]
    assert all(0.0005 < b < 0.005 for b in bayes), bayes
    assert all(0.3 < r < 0.65 for r in ridge) and ridge[0] > ridge[-1], ridge
    # Two examples do not pin a frequency-1 function down: Bayes then hedges.
    assert result["bayes_m1k2power"] > 0.05


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("icl")
    params = {"task": "fourier_series", "points": 5, "max_frequency": 2, "n_test": 40}
    write_dataset(root / "data", "single", get_generator("icl_regression", params).generate(0),
                  seed=0)  # fmt: skip
    spec = {
        "name": "single/gpt2/icl_adam/seed3", "dataset": "single", "seed": 3,
        "model": {"kind": "transformer", "n_layer": 1, "n_head": 2, "n_embd": 16},
        "regime": {"name": "icl_adam", "train": {
            "optimizer": "adam", "lr": 0.003, "batch_size": 8, "schedule": "constant",
            "loss": "regression_mse", "epochs": 2, "steps_per_epoch": 3}},
    }  # fmt: skip
    train_run(spec, root / "data", root / "run")
    return root


def test_the_analysis_measures_every_predictor_at_every_context_size(trained):
    result = run_group_analysis("icl_regression", {3: trained / "run"}, trained / "data", "cpu",
                                {"functions": 4})["seed3"]  # fmt: skip
    predictors = ("trained", "untrained", "bayes", "ridge")
    errors = {f"{p}_k{k}error" for p in predictors for k in range(5)}
    powers = {f"{p}_m{m}k{k}power" for p in predictors for m in (1, 2) for k in range(1, 5)}
    assert set(result) == errors | powers
    assert all(math.isfinite(v) and v >= 0 for v in result.values())
    # The single class's Bayes predictor (least squares on its 2N + 1 = 5 features) is exact
    # from 5 points on; with 4 it is not yet, and the trained network differs from its
    # initial weights.
    assert (
        result["bayes_k4error"] > 1e-3 and result["trained_k0error"] != result["untrained_k0error"]
    )
    again = run_group_analysis("icl_regression", {3: trained / "run"}, trained / "data", "cpu",
                               {"functions": 4})["seed3"]  # fmt: skip
    assert again == result  # the untrained twin is rebuilt from the run's seed, exactly


def test_linear_regression_runs_measure_error_against_least_squares(tmp_path):
    """Dense linear regression (their linear_regression task): the error curve only, with
    least squares (the posterior mean for w ~ N(0, I), noise-free) as Bayes and ridge."""
    params = {"task": "linear_regression", "points": 6, "dim": 3, "n_test": 40}
    write_dataset(tmp_path / "data", "lr", get_generator("icl_regression", params).generate(0),
                  seed=0)  # fmt: skip
    spec = {
        "name": "lr/gpt2/icl_adam/seed0", "dataset": "lr", "seed": 0,
        "model": {"kind": "transformer", "n_layer": 1, "n_head": 2, "n_embd": 16},
        "regime": {"name": "icl_adam", "train": {
            "optimizer": "adam", "lr": 0.003, "batch_size": 8, "schedule": "constant",
            "loss": "regression_mse", "epochs": 1, "steps_per_epoch": 2}},
    }  # fmt: skip
    train_run(spec, tmp_path / "data", tmp_path / "run")
    result = run_group_analysis("icl_regression", {0: tmp_path / "run"}, tmp_path / "data",
                                "cpu", {})["seed0"]  # fmt: skip
    assert set(result) == {f"{p}_k{k}error" for p in PREDICTORS for k in range(6)}
    # d = 3 points determine w: least squares is exact from the fourth point on.
    assert result["bayes_k3error"] < 1e-8 < result["bayes_k2error"]
    assert result["ridge_k5error"] == result["bayes_k5error"]
