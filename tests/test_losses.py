"""The training losses (simbias.train.losses) and the loss setting, through every path
that computes the training loss: the step, seeds at once, the goals, the sharpness."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.losses import mean_loss, per_example_loss
from simbias.train.recorders.dynamics import DynamicsRecorder, DynamicsSettings
from simbias.train.run import seed_everything
from simbias.train.sharpness import top_hessian_eigenvalue
from simbias.train.spec import TrainSpec
from simbias.train.stopping import GOAL_LOSS, goal_measures
from simbias.train.vmap_seeds import fit_seeds

SEEDS = [0, 1, 2]


def test_mse_is_half_the_squared_distance_to_the_one_hot_label_summed_over_classes():
    logits = torch.tensor([[1.0, 0.0, 2.0], [0.5, 0.5, -1.0]])
    labels = torch.tensor([2, 0])
    # by hand: 0.5 * ((1-0)^2 + 0^2 + (2-1)^2) = 1.0; 0.5 * (0.5^2 + 0.5^2 + 1^2) = 0.75
    per_example = per_example_loss("mse")(logits, labels)
    torch.testing.assert_close(per_example, torch.tensor([1.0, 0.75]))
    assert float(mean_loss("mse")(logits, labels)) == pytest.approx(0.875)


def test_mse_gradient_is_the_residual_over_n():
    logits = torch.randn(5, 4, generator=torch.Generator().manual_seed(0), requires_grad=True)
    labels = torch.tensor([0, 3, 1, 1, 2])
    mean_loss("mse")(logits, labels).backward()
    expected = (logits.detach() - F.one_hot(labels, 4).float()) / len(labels)
    torch.testing.assert_close(logits.grad, expected)


def test_cross_entropy_is_torchs_and_per_example_works_on_stacked_seeds():
    logits = torch.randn(2, 6, 3, generator=torch.Generator().manual_seed(1))
    labels = torch.randint(0, 3, (2, 6), generator=torch.Generator().manual_seed(2))
    assert mean_loss("cross_entropy") is F.cross_entropy
    stacked = per_example_loss("cross_entropy")(logits, labels)
    assert stacked.shape == (2, 6)
    torch.testing.assert_close(stacked[1], F.cross_entropy(logits[1], labels[1], reduction="none"))
    mse = per_example_loss("mse")(logits, labels)
    torch.testing.assert_close(mse[0], per_example_loss("mse")(logits[0], labels[0]))


def test_an_unknown_loss_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        mean_loss("hinge")
    with pytest.raises(ValueError, match="loss"):
        TrainSpec.from_dict({"loss": "hinge"}, "regime x/train")


def test_the_default_loss_leaves_the_run_identity_unchanged():
    default = TrainSpec(epochs=2)
    assert default.loss == "cross_entropy"
    assert "loss" not in default.identity()  # checkpoints from before the setting resume
    assert TrainSpec(epochs=2, loss="mse").identity()["loss"] == "mse"
    assert TrainSpec(epochs=2, loss="mse").identity() != default.identity()


def blobs(n: int = 120, dim: int = 6) -> TensorData:
    generator = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 3
    x = torch.randn(n, dim, generator=generator) + 0.8 * F.one_hot(y, dim).float()
    return TensorData(x=x, y=y.long())


def tanh_mlp(seed: int) -> nn.Module:
    return build_model("mlp", {"width": 8, "depth": 2, "activation": "tanh"}, (6,), 3)


def test_fit_descends_the_mse_loss_and_its_goal_measures_it(tmp_path):
    data = blobs()
    spec = TrainSpec(
        epochs=3, lr=0.2, momentum=0.0, batch_size="full", schedule="constant", loss="mse",
        loss_goal=1e-9,
    )  # fmt: skip
    seed_everything(0)
    model = tanh_mlp(0)
    with torch.no_grad():
        start = float(mean_loss("mse")(model(data.x), data.y))
    history = fit(model, data, spec, 0, tmp_path, "r").history
    assert history[0]["train_loss"] == pytest.approx(start, rel=1e-6)  # the loss stepped on
    with torch.no_grad():
        end = float(mean_loss("mse")(model.eval()(data.x), data.y))
    assert history[-1][GOAL_LOSS] == pytest.approx(end, rel=1e-5)
    assert end < start


def test_goal_measures_the_mse_of_each_seed():
    logits = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(3))
    labels = torch.tensor([0, 1, 2, 0, 1])
    measured = goal_measures(logits, labels, "mse")[GOAL_LOSS]
    expected = torch.stack([mean_loss("mse")(logits[i], labels) for i in range(2)])
    torch.testing.assert_close(measured, expected)


@pytest.mark.parametrize("sam", [False, True])
def test_seeds_at_once_equal_one_by_one_under_mse(tmp_path, sam):
    from simbias.train.regime import Regime

    data = blobs()
    train = {"epochs": 4, "lr": 0.1, "momentum": 0.0, "batch_size": 40, "loss": "mse"}
    regime = Regime.from_dict(
        {"name": "r", "train": train, **({"sam": {"rho": 0.05}} if sam else {})}
    )
    pieces = {"update": regime.update, "transform": regime.transform}
    reference = []
    for s in SEEDS:
        seed_everything(s)
        model = tanh_mlp(s)
        result = fit(model, data, regime.train, s, tmp_path / str(s), str(s), **pieces)
        reference.append((model.state_dict(), result.history))
    batched = fit_seeds(
        tanh_mlp, SEEDS, data, regime.train, work_dirs=[tmp_path / f"b{s}" for s in SEEDS],
        **pieces,
    )  # fmt: skip
    for ours, (state, history) in zip(batched, reference, strict=True):
        for key in state:
            torch.testing.assert_close(ours.state_dict[key], state[key], rtol=1e-5, atol=1e-6)
        for row, expected in zip(ours.history, history, strict=True):
            assert row["train_loss"] == pytest.approx(expected["train_loss"], rel=1e-5)


def test_sharpness_under_mse_of_a_linear_model_is_the_top_eigenvalue_of_x_x_over_n():
    # Linear outputs f = W x + b under mse: each output's Hessian block is [x 1]^T [x 1] / n,
    # the same for every output, so the top eigenvalue is that matrix's.
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(100, 4, generator=gen, dtype=torch.float64) * torch.tensor(
        [2.0, 1.0, 0.5, 0.3], dtype=torch.float64
    )
    y = torch.randint(0, 3, (100,), generator=gen)
    model = nn.Linear(4, 3).double()
    ones = torch.cat([x, torch.ones(100, 1, dtype=torch.float64)], dim=1)
    exact = np.linalg.eigvalsh((ones.T @ ones).numpy() / len(x)).max()
    found = top_hessian_eigenvalue(
        model, mean_loss("mse"), x, y, iters=300, tol=1e-10, generator=gen
    )
    assert found == pytest.approx(exact, rel=1e-4)


def test_the_dynamics_recorder_measures_the_runs_loss():
    data = blobs(n=60)
    model = nn.Linear(6, 3)
    settings = DynamicsSettings(every=1, sharpness_every=1, sharpness_iters=50)
    ce = DynamicsRecorder(settings, data.x, data.y, seed=0)
    mse = DynamicsRecorder(settings, data.x, data.y, seed=0, loss="mse")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    ce(0, model, optimizer)
    mse(0, model, optimizer)
    with torch.no_grad():
        expected = per_example_loss("mse")(model(data.x), data.y)
    torch.testing.assert_close(mse.losses[0], expected)
    assert not torch.allclose(ce.losses[0], mse.losses[0])
    ones = torch.cat([data.x, torch.ones(60, 1)], dim=1).double()
    exact = np.linalg.eigvalsh((ones.T @ ones).numpy() / 60).max()
    assert mse.sharpness[0] == pytest.approx(exact, rel=1e-2)
