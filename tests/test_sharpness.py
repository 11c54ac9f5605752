"""Sharpness: power iteration on Hessian-vector products, against exact Hessians."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import functional_call
from torch.nn import functional as F

from simbias.train.sharpness import (
    hessian_vector_product,
    per_example_losses,
    top_hessian_eigenvalue,
)


def _mse(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(out.squeeze(1), y)


def test_power_iteration_finds_the_top_eigenvalue_of_least_squares():
    # Loss mean((x w - y)^2) has the constant Hessian 2 X^T X / n.
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 6, generator=gen, dtype=torch.float64) * torch.tensor(
        [3.0, 1.5, 1.0, 1.0, 0.5, 0.2], dtype=torch.float64
    )
    y = torch.randn(200, generator=gen, dtype=torch.float64)
    model = nn.Linear(6, 1, bias=False).double()
    exact = np.linalg.eigvalsh(2 * (x.T @ x).numpy() / len(x)).max()
    found = top_hessian_eigenvalue(model, _mse, x, y, iters=200, tol=1e-9, generator=gen)
    assert found == pytest.approx(exact, rel=1e-3)
    # Few iterations and a loose tolerance stop early, with a worse estimate.
    rough = top_hessian_eigenvalue(
        model, _mse, x, y, iters=1, tol=1e-3, generator=torch.Generator().manual_seed(0)
    )
    assert rough < found


def _tiny_mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def test_hvp_matches_the_explicit_hessian():
    model = _tiny_mlp()
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(10, 3, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 2, (10,), generator=gen)
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [p.numel() for _, p in model.named_parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def unflatten(vec: torch.Tensor) -> dict[str, torch.Tensor]:
        parts = torch.split(vec, sizes)
        return {n: t.reshape(s) for n, t, s in zip(names, parts, shapes, strict=True)}

    def loss(vec: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(functional_call(model, unflatten(vec), (x,)), y)

    hessian = torch.autograd.functional.hessian(loss, flat)
    v = torch.randn(flat.numel(), generator=gen, dtype=torch.float64)
    hv = hessian_vector_product(model, F.cross_entropy, x, y, unflatten(v))
    ours = torch.cat([hv[n].reshape(-1) for n in names])
    torch.testing.assert_close(ours, hessian @ v, rtol=1e-9, atol=1e-12)


def test_batchnorm_is_evaluated_with_running_stats_and_mode_is_restored():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()
    model.train()
    x = torch.randn(8, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (8,))
    stats = model[1].running_mean.clone()
    for batch_statistics in (True, False):
        top_hessian_eigenvalue(model, F.cross_entropy, x, y, iters=3,
                               batch_statistics=batch_statistics)  # fmt: skip
        assert model.training
        torch.testing.assert_close(model[1].running_mean, stats)


def test_batch_statistics_give_the_hessian_of_the_train_mode_loss():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()
    model[1].running_mean.fill_(5.0)  # far from the batch's: the two losses differ
    x = torch.randn(16, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (16,))
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def unflatten(vec):
        chunks = vec.split([s.numel() for s in shapes])
        return {n: c.reshape(s) for n, c, s in zip(names, chunks, shapes, strict=True)}

    def loss(vec, train_mode):
        buffers = {n: b.clone() for n, b in model.named_buffers()}  # train mode updates them
        model.train(train_mode)
        out = functional_call(model, (unflatten(vec), buffers), (x,))
        return F.cross_entropy(out, y)

    v = torch.randn(flat.numel(), dtype=torch.float64)
    for batch_statistics in (True, False):
        hessian = torch.autograd.functional.hessian(lambda w, b=batch_statistics: loss(w, b), flat)
        exact = hessian @ v
        hv = hessian_vector_product(model, F.cross_entropy, x, y, unflatten(v),
                                    batch_statistics=batch_statistics)  # fmt: skip
        ours = torch.cat([hv[n].reshape(-1) for n in names])
        torch.testing.assert_close(ours, exact, rtol=1e-8, atol=1e-10)


def test_per_example_losses_average_to_the_batch_loss():
    model = _tiny_mlp()
    x = torch.randn(37, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (37,))
    losses = per_example_losses(model, x, y, batch_size=8)
    assert losses.shape == (37,) and not losses.requires_grad
    torch.testing.assert_close(losses.mean(), F.cross_entropy(model(x), y))


class _Weights(nn.Module):
    """Outputs its own weights: a loss of the output is a function of the weights alone."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(3, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w


@pytest.mark.parametrize(("eigenvalues", "top"), [([-5.0, 2.0, 1.0], 2.0), ([5.0, -2.0, 1.0], 5.0)])
def test_the_largest_eigenvalue_is_found_also_past_a_larger_negative_one(eigenvalues, top):
    # loss 0.5 w^T H w: power iteration alone converges to -5 in the first case.
    rotation, _ = torch.linalg.qr(
        torch.randn(3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    )
    hessian = rotation @ torch.diag(torch.tensor(eigenvalues, dtype=torch.float64)) @ rotation.T
    found = top_hessian_eigenvalue(
        _Weights(), lambda w, y: 0.5 * w @ hessian @ w, torch.zeros(1), torch.zeros(1),
        iters=500, tol=1e-12, generator=torch.Generator().manual_seed(1),
    )  # fmt: skip
    assert found == pytest.approx(top, rel=1e-6)
