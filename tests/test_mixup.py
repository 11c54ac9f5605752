"""Mixup (simbias.train.mixup): Bachmann et al. 2023's mixed batch and loss."""

from __future__ import annotations

import pytest
import torch
from scipy import stats
from test_engine import blobs, mlp

from simbias.train.engine import fit, predict_logits
from simbias.train.losses import mean_loss
from simbias.train.mixup import beta_symmetric, mix_batch, mixed_loss
from simbias.train.spec import TrainSpec


@pytest.mark.parametrize("alpha", [0.2, 0.8, 1.0])
def test_lambda_is_beta_alpha_alpha(alpha):
    generator = torch.Generator().manual_seed(0)
    draws = torch.stack(
        [beta_symmetric(alpha, generator, torch.device("cpu")) for _ in range(4000)]
    )
    assert stats.kstest(draws.numpy(), stats.beta(alpha, alpha).cdf).pvalue > 0.01


def test_alpha_outside_johnks_range_is_refused():
    with pytest.raises(ValueError, match="alpha"):
        beta_symmetric(1.5, torch.Generator(), torch.device("cpu"))
    with pytest.raises(ValueError):
        TrainSpec(mixup=1.5)


def test_each_input_is_mixed_with_the_previous_one_by_one_lambda():
    x = torch.arange(12.0).view(4, 3)
    y = torch.tensor([0, 1, 2, 3])
    mixed, partners, lam = mix_batch(x, y, 0.8, torch.Generator().manual_seed(1))
    assert partners.tolist() == [3, 0, 1, 2]  # FFCV's labels[ix - 1]
    torch.testing.assert_close(mixed, lam * x + (1 - lam) * x.roll(1, dims=0))


@pytest.mark.parametrize("loss", ["cross_entropy", "smoothed_cross_entropy"])
def test_mixed_loss_is_the_lambda_weighted_sum_of_the_two_losses(loss):
    loss_fn = mean_loss(loss)
    logits = torch.randn(8, 5, generator=torch.Generator().manual_seed(0), requires_grad=True)
    y_a, y_b = torch.arange(8) % 5, (torch.arange(8) + 2) % 5
    lam = torch.tensor(0.3)
    got = mixed_loss(loss_fn, y_b, lam)(logits, y_a)
    (grad,) = torch.autograd.grad(got, logits)
    expected = 0.3 * loss_fn(logits, y_a) + 0.7 * loss_fn(logits, y_b)
    (expected_grad,) = torch.autograd.grad(expected, logits)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(grad, expected_grad)
    # lam = 1: the plain loss of the first labels, bit for bit.
    assert torch.equal(
        mixed_loss(loss_fn, y_b, torch.tensor(1.0))(logits, y_a), loss_fn(logits, y_a)
    )


def test_mixup_off_trains_exactly_as_without_the_setting(tmp_path):
    plain, off = mlp(), mlp()
    spec = TrainSpec(epochs=2, lr=0.05, batch_size=32)
    fit(plain, blobs(), spec, seed=0, run_dir=tmp_path / "a", run_name="a")
    fit(off, blobs(), TrainSpec(epochs=2, lr=0.05, batch_size=32, mixup=0.0), seed=0,
        run_dir=tmp_path / "b", run_name="b")  # fmt: skip
    for key, value in plain.state_dict().items():
        assert torch.equal(value, off.state_dict()[key]), key
    assert "mixup" not in spec.identity()  # checkpoints from before the setting resume


def test_mixup_changes_training_and_still_learns(tmp_path):
    plain, mixed, data = mlp(), mlp(), blobs()
    fit(plain, data, TrainSpec(epochs=4, lr=0.05, batch_size=32), seed=0,
        run_dir=tmp_path / "a", run_name="a")  # fmt: skip
    fit(mixed, data, TrainSpec(epochs=4, lr=0.05, batch_size=32, mixup=0.8), seed=0,
        run_dir=tmp_path / "b", run_name="b")  # fmt: skip
    first = next(iter(plain.state_dict()))
    assert not torch.equal(plain.state_dict()[first], mixed.state_dict()[first])
    accuracy = (predict_logits(mixed, data.x).argmax(dim=1) == data.y).float().mean()
    assert accuracy > 0.95  # on the unmixed inputs
