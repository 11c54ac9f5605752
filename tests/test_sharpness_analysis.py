"""The sharpness analysis: the top Hessian eigenvalue of a finished run's own training loss
at its final weights, against closed forms for linear models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import image_run_spec, write_blobs, write_bright_dark_images

from simbias.analysis import analysis_settings, run_group_analysis
from simbias.analysis.sharpness import training_subset
from simbias.data.store import load_split
from simbias.train.run import load_trained_model, train_run

N_TRAIN, EXAMPLES = 40, 24


def _linear_run(root, loss: str):
    """A linear classifier (an mlp of depth 0) trained briefly with ``loss`` on blobs."""
    data = write_blobs(root / "data", n=N_TRAIN, dim=12)
    spec = {
        "name": f"blobs/mlp/{loss}/seed0",
        "dataset": "blobs",
        "seed": 0,
        "model": {"kind": "mlp", "depth": 0},
        "regime": {
            "name": "sgd",
            "train": {"epochs": 2, "lr": 0.05, "batch_size": 20, "loss": loss},
        },
    }
    train_run(spec, data, root / "run")
    return root / "run", data


@pytest.fixture(scope="module")
def mse_run(tmp_path_factory):
    return _linear_run(tmp_path_factory.mktemp("mse"), "mse")


@pytest.fixture(scope="module")
def ce_run(tmp_path_factory):
    return _linear_run(tmp_path_factory.mktemp("ce"), "cross_entropy")


def _subset_with_bias(data_dir) -> tuple[np.ndarray, np.ndarray]:
    """The analysis's training examples, each with a constant 1 (the bias's input)."""
    train = load_split(data_dir, "train")
    index = training_subset(len(train.y), EXAMPLES)
    x = train.x[index].astype(np.float64)
    return np.hstack([x, np.ones((len(x), 1))]), train.y[index]


def _weight_and_bias(run_dir, data_dir) -> tuple[np.ndarray, np.ndarray]:
    linear = load_trained_model(run_dir, data_dir)[-1]
    return linear.weight.detach().double().numpy(), linear.bias.detach().double().numpy()


def _analyse(run_dir, data_dir, seeds=(0,), **settings) -> dict:
    return run_group_analysis(
        "sharpness", dict.fromkeys(seeds, run_dir), data_dir, "cpu",
        {"examples": EXAMPLES, **settings},
    )  # fmt: skip


def test_the_square_loss_of_a_linear_model_has_hessian_xtx_over_n(mse_run):
    # Loss (1/n) sum_i 1/2 ||W x_i + b - onehot(y_i)||^2: per output, the Hessian in (w, b)
    # is (1/n) X~^T X~, X~ = [X, 1], whatever the weights.
    run_dir, data_dir = mse_run
    x, y = _subset_with_bias(data_dir)
    exact = np.linalg.eigvalsh(x.T @ x / len(x)).max()
    result = _analyse(run_dir, data_dir)["seed0"]
    assert set(result) == {"train_sharpness", "train_loss"}
    assert result["train_sharpness"] == pytest.approx(exact, rel=1e-3)
    # The whole split's Hessian differs: the subset is what is measured.
    train = load_split(data_dir, "train").x.astype(np.float64)
    whole = np.hstack([train, np.ones((N_TRAIN, 1))])
    assert np.linalg.eigvalsh(whole.T @ whole / N_TRAIN).max() != pytest.approx(exact, rel=1e-2)
    weight, bias = _weight_and_bias(run_dir, data_dir)
    outputs = x[:, :-1] @ weight.T + bias
    square = 0.5 * ((outputs - np.eye(2)[y]) ** 2).sum(axis=1).mean()
    assert result["train_loss"] == pytest.approx(square, rel=1e-5)


def test_a_cross_entropy_run_gets_the_hessian_of_cross_entropy(ce_run):
    # Softmax cross-entropy of a linear model: H = (1/n) sum_i (diag p_i - p_i p_i^T) kron
    # x~_i x~_i^T, which depends on the weights; the square loss's would be far larger.
    run_dir, data_dir = ce_run
    x, y = _subset_with_bias(data_dir)
    weight, bias = _weight_and_bias(run_dir, data_dir)
    logits = x[:, :-1] @ weight.T + bias
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    hessian = sum(
        np.kron(np.diag(pi) - np.outer(pi, pi), np.outer(xi, xi))
        for pi, xi in zip(p, x, strict=True)
    ) / len(x)
    exact = np.linalg.eigvalsh(hessian).max()
    result = _analyse(run_dir, data_dir)["seed0"]
    assert result["train_sharpness"] == pytest.approx(exact, rel=1e-3)
    assert exact < 0.5 * np.linalg.eigvalsh(x.T @ x / len(x)).max()
    cross_entropy = -np.log(p[np.arange(len(y)), y]).mean()
    assert result["train_loss"] == pytest.approx(cross_entropy, rel=1e-5)


def test_the_start_vector_comes_from_the_runs_seed(ce_run):
    run_dir, data_dir = ce_run
    # One power-iteration step: the estimate still shows where it started.
    first = _analyse(run_dir, data_dir, seeds=(0, 1), iters=1)
    again = _analyse(run_dir, data_dir, seeds=(0,), iters=1)
    assert again["seed0"] == first["seed0"]
    assert first["seed0"]["train_sharpness"] != first["seed1"]["train_sharpness"]
    assert first["seed0"]["train_loss"] == first["seed1"]["train_loss"]


def test_defaults_and_bounds_of_the_settings():
    settings = analysis_settings("sharpness", None)
    assert (settings.examples, settings.iters, settings.tol) == (512, 20, 1e-3)
    assert settings.batch_statistics is True
    with pytest.raises(ValueError, match="analysis_settings/sharpness/iters"):
        analysis_settings("sharpness", {"iters": 0})


def test_batchnorm_uses_the_subsets_statistics_or_the_running_ones(tmp_path):
    # A CNN with BatchNorm: the eval-mode loss (running statistics) is what the trained
    # network computes; the training-mode loss normalises with the subset's own statistics.
    write_bright_dark_images(tmp_path / "data")
    spec = image_run_spec("sgd", {"epochs": 1, "lr": 0.05, "batch_size": 32}, {})
    train_run(spec, tmp_path / "data", tmp_path / "run")
    model = load_trained_model(tmp_path / "run", tmp_path / "data")
    train = load_split(tmp_path / "data", "train")
    index = training_subset(len(train.y), EXAMPLES)
    with torch.no_grad():
        logits = model(torch.from_numpy(train.x[index]))
    eval_loss = float(torch.nn.functional.cross_entropy(logits, torch.from_numpy(train.y[index])))
    running = _analyse(tmp_path / "run", tmp_path / "data", batch_statistics=False)["seed0"]
    batch = _analyse(tmp_path / "run", tmp_path / "data")["seed0"]
    assert running["train_loss"] == pytest.approx(eval_loss, rel=1e-5)
    assert batch["train_loss"] != pytest.approx(eval_loss, rel=1e-3)
    assert running["train_sharpness"] > 0 and batch["train_sharpness"] > 0
