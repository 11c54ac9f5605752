"""Sharpness: the top eigenvalue of the training loss's Hessian, by power iteration.

Hessian-vector products are reverse-over-reverse (``torch.func.vjp`` of ``torch.func.grad``;
the Hessian is symmetric, so v^T H = (H v)^T) on a pure function of the parameters
(``functional_call``). The power iteration builds the gradient's pullback once and calls it
for every product: the forward and backward pass at the (fixed) parameters are not redone,
so a product costs about 0.7 of one built afresh (measured: 0.45 s instead of 0.63 s on the
trained digits CNN, 1257 images, one core, warm; the products are bit-identical).
Forward-over-reverse (``jvp`` of ``grad``) fails inside ``F.mse_loss`` in torch 2.14
("ZeroTensors are immutable") and would redo the forward pass each time, so it is not used.

The loss is a deterministic function of the parameters: dropout is off, and BatchNorm
normalises with the statistics of the batch given (``batch_statistics=True``, the default:
the training loss full-batch GD descends, on a copy of the model with running statistics
removed) or with its running statistics (``batch_statistics=False``, the eval-mode loss).
The model itself, its mode and its buffers are left unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torch.func import functional_call, grad, replace_all_batch_norm_modules_, vjp
from torch.nn.modules.batchnorm import _BatchNorm

from simbias.train.losses import per_example_loss

Params = dict[str, torch.Tensor]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@contextmanager
def _eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@contextmanager
def _loss_model(model: nn.Module, batch_statistics: bool) -> Iterator[nn.Module]:
    """The module whose eval-mode forward is the loss's: ``model`` itself, or a copy whose
    BatchNorm layers always use the batch's statistics."""
    if batch_statistics and any(isinstance(m, _BatchNorm) for m in model.modules()):
        twin = replace_all_batch_norm_modules_(copy.deepcopy(model))
        yield twin.eval()  # no running stats: BatchNorm normalises with the batch's
        return
    with _eval_mode(model) as same:
        yield same


def _parameters(model: nn.Module) -> Params:
    return {name: p.detach() for name, p in model.named_parameters()}


def _loss_of_params(
    model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor
) -> Callable[[Params], torch.Tensor]:
    buffers = {name: b.detach() for name, b in model.named_buffers()}

    def loss(params: Params) -> torch.Tensor:
        return loss_fn(functional_call(model, (params, buffers), (x,)), y)

    return loss


def hessian_vector_product(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    vector: Params,
    batch_statistics: bool = True,
) -> Params:
    """H v for the Hessian H of ``loss_fn(model(x), y)`` w.r.t. all parameters (see the
    module docstring for BatchNorm); ``vector`` and the result are dicts keyed like
    ``model.named_parameters()``."""
    with _loss_model(model, batch_statistics) as net:
        return _hvp_at(net, loss_fn, x, y)(vector)


def _hvp_at(
    net: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor
) -> Callable[[Params], Params]:
    """v -> H v at ``net``'s parameters: the gradient's pullback, built once and called for
    every product (the forward and backward pass are not redone)."""
    _, pullback = vjp(grad(_loss_of_params(net, loss_fn, x, y)), _parameters(net))

    def hvp(vector: Params) -> Params:
        return pullback(vector)[0]

    return hvp


def _dot(a: Params, b: Params) -> torch.Tensor:
    return sum((a[k] * b[k]).sum() for k in a)  # type: ignore[return-value]


def _power_iteration(
    hvp: Callable[[Params], Params], v: Params, iters: int, tol: float, shift: float = 0.0
) -> float:
    """The eigenvalue of largest magnitude of H - shift I, from the start ``v``."""
    norm = torch.sqrt(_dot(v, v))
    v = {k: t / norm for k, t in v.items()}
    previous = None
    rayleigh = 0.0
    for _ in range(iters):
        hv = {k: t.detach() for k, t in hvp(v).items()}
        if shift:
            hv = {k: t - shift * v[k] for k, t in hv.items()}
        rayleigh = float(_dot(v, hv))  # v has unit norm
        norm = torch.sqrt(_dot(hv, hv))
        if float(norm) == 0.0:
            return 0.0
        v = {k: t / norm for k, t in hv.items()}
        if previous is not None and abs(rayleigh - previous) <= tol * abs(rayleigh):
            break
        previous = rayleigh
    return rayleigh


def top_hessian_eigenvalue(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    iters: int = 20,
    tol: float = 1e-3,
    generator: torch.Generator | None = None,
    batch_statistics: bool = True,
) -> float:
    """The Hessian's largest eigenvalue (the sharpness, as Cohen et al.'s Lanczos gives
    it), by power iteration from a random start drawn with ``generator``: ``iters``
    products at most, or until the Rayleigh quotient changes by less than ``tol`` relative
    to its value. Power iteration finds the eigenvalue of largest magnitude; where that is
    negative (a non-convex point, e.g. at initialisation), it is the smallest eigenvalue
    m, and a second iteration on H - m I (eigenvalues >= 0, the largest one shifted)
    finds the largest."""
    if iters < 1:
        raise ValueError(f"iters must be >= 1, got {iters}")
    params = _parameters(model)
    draw_device = generator.device if generator is not None else None
    v = {
        k: torch.randn(p.shape, generator=generator, dtype=p.dtype, device=draw_device).to(p)
        for k, p in params.items()
    }
    with _loss_model(model, batch_statistics) as net:
        hvp = _hvp_at(net, loss_fn, x, y)
        top = _power_iteration(hvp, v, iters, tol)
        if top < 0:
            top += _power_iteration(hvp, v, iters, tol, shift=top)
    return top


@torch.no_grad()
def mean_training_loss(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_statistics: bool = True,
) -> float:
    """``loss_fn(model(x), y)`` as :func:`top_hessian_eigenvalue` takes its Hessian (dropout
    off, BatchNorm as ``batch_statistics`` says): the loss at the point the sharpness is of."""
    with _loss_model(model, batch_statistics) as net:
        return float(loss_fn(net(x), y))


@torch.no_grad()
def per_example_losses(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 4096,
    loss: str = "cross_entropy",
) -> torch.Tensor:
    """The training loss ``loss`` (:mod:`simbias.train.losses`) of every example (N,), in
    eval mode, on the inputs' device."""
    per_example = per_example_loss(loss)
    with _eval_mode(model):
        chunks = [
            per_example(model(x[i : i + batch_size]), y[i : i + batch_size])
            for i in range(0, len(x), batch_size)
        ]
    return torch.cat(chunks) if chunks else torch.empty(0, device=x.device)
