"""Regime pieces for seeds trained at once: each seed's step, on stacked parameters.

``fit_seeds`` holds S seeds' parameters as leaves of shape (S, ...) and their batches as
(S, B, ...). A seed's loss depends on its own slice only, so the gradient of the summed
per-seed losses is, slice by slice, each seed's own gradient; what a piece does per seed
must then be done per slice:

- SAM (:func:`sam_step`): e(w) = rho g / ||g|| with each seed's own gradient norm (over
  all of its parameters jointly, as :class:`simbias.train.sam.SAM` takes it), the second
  gradient at each seed's w + e(w), each seed's w restored exactly, then the base step.
- Adversarial training (:func:`perturb_seeds`): each seed attacks its own network; the
  random start of each seed comes from that seed's generator, in the order its own run
  draws it, and the attack's per-example steps are the sequential ones.
- Gaussian-noise training (:func:`noise_seeds`): each seed's noise comes from that seed's
  generator, drawn as its own run draws it, so the noisy batches are bit-identical.

:func:`batched_transform` gives the seeds-at-once form of a regime's input transform.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from simbias.train.adversarial import Attack, initial_delta, perturb
from simbias.train.noise import add_noise
from simbias.train.pieces.adversarial import AdversarialTransform
from simbias.train.pieces.noise import NoiseTransform
from simbias.train.pieces.sam import SamUpdate
from simbias.train.regime import PlainUpdate
from simbias.train.sam import NORM_FLOOR


def batched_step(
    update: Any, loss: str = "cross_entropy"
) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """The seeds-at-once form of a regime's update rule (plain SGD/GD/Adam, or SAM),
    descending the training loss ``loss`` (:mod:`simbias.train.losses`)."""
    if update is None or isinstance(update, PlainUpdate):
        return functools.partial(plain_step, loss=loss)
    if isinstance(update, SamUpdate):
        return functools.partial(sam_step, rho=update.rho, adaptive=update.adaptive, loss=loss)
    raise ValueError(f"no seeds-at-once form of the update {type(update).__name__}")


def plain_step(runner, optimizer, inputs, labels, loss: str = "cross_entropy"):
    """One step of the base optimizer for every seed."""
    losses, logits = runner.loss_and_grads(inputs, labels, loss)
    optimizer.step()
    return losses, logits


def _per_seed(scale: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A (S,) tensor shaped to broadcast against a stacked (S, ...) tensor."""
    return scale.view(-1, *([1] * (like.dim() - 1)))


def sam_step(
    runner, optimizer, inputs, labels, rho: float, adaptive: bool, loss: str = "cross_entropy"
):
    """One SAM (ASAM) update for every seed, as ``SamUpdate`` does for one network."""
    losses, logits = runner.loss_and_grads(inputs, labels, loss)
    leaves = [p for p in runner.params.values() if p.grad is not None]
    with torch.no_grad():
        # ||g|| per seed: the norm of the per-tensor norms, each over one seed's slice.
        directions = [p.grad * p.abs() if adaptive else p.grad for p in leaves]
        norms = torch.stack([torch.linalg.vector_norm(d.flatten(1), dim=1) for d in directions])
        scale = rho / (torch.linalg.vector_norm(norms, dim=0) + NORM_FLOOR)
        saved = [p.detach().clone() for p in leaves]
        for p in leaves:
            ascent = p.grad * p.square() if adaptive else p.grad
            p.add_(ascent * _per_seed(scale, p))
    # BatchNorm statistics come from the first pass only.
    with runner.buffers_frozen():
        runner.loss_and_grads(inputs, labels, loss)
    with torch.no_grad():
        for p, old in zip(leaves, saved, strict=True):
            p.copy_(old)  # a copy, not w + e - e: no rounding drift
    optimizer.step()
    return losses, logits


class _FlatSeeds(nn.Module):
    """The S seeds' networks as one module on (S * B, ...) inputs, giving (S * B, C)
    logits: the shape the attack code (one network, one batch) works on. Its train/eval
    mode (the attack runs in eval mode) is passed on to the stacked networks."""

    def __init__(self, runner) -> None:
        super().__init__()
        self.runner = runner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stacked = x.view(self.runner.n_seeds, -1, *x.shape[1:])
        was_training = self.runner.training
        self.runner.train(self.training)
        try:
            return self.runner.forward(stacked).flatten(0, 1)
        finally:
            self.runner.train(was_training)


def perturb_seeds(
    runner,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    attack: Attack,
    generators: Sequence[torch.Generator],
) -> torch.Tensor:
    """Each seed's adversarial examples for its own network, (S, B, ...)."""
    start = torch.stack(
        [initial_delta(inputs[i], attack, g) for i, g in enumerate(generators)]
    ).flatten(0, 1)
    model = _FlatSeeds(runner)
    flat = perturb(model, inputs.flatten(0, 1), labels.flatten(), attack, start=start)
    return flat.view_as(inputs)


def noise_seeds(
    inputs: torch.Tensor,
    std: float,
    clip: tuple[float, float] | None,
    generators: Sequence[torch.Generator],
) -> torch.Tensor:
    """Each seed's noisy batch, (S, B, ...): seed i's noise from ``generators[i]``, as
    :class:`simbias.train.pieces.noise.NoiseTransform` draws it for one run."""
    return torch.stack([add_noise(inputs[i], std, clip, g) for i, g in enumerate(generators)])


def batched_transform(
    transform: Any,
) -> Callable[..., torch.Tensor] | None:
    """The seeds-at-once form of a regime's input transform (None: no transform), called
    as ``form(runner, inputs, labels, generators)`` on (S, B, ...) batches with one
    generator per seed."""
    if transform is None:
        return None
    if isinstance(transform, AdversarialTransform):
        return functools.partial(_perturb_with, attack=transform.attack)
    if isinstance(transform, NoiseTransform):
        return functools.partial(_noise_with, std=transform.std, clip=transform.clip)
    raise ValueError(f"no seeds-at-once form of the input transform {type(transform).__name__}")


def _perturb_with(runner, inputs, labels, generators, attack: Attack) -> torch.Tensor:
    return perturb_seeds(runner, inputs, labels, attack, generators)


def _noise_with(runner, inputs, labels, generators, std: float, clip) -> torch.Tensor:
    return noise_seeds(inputs, std, clip, generators)
