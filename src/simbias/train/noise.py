"""Gaussian input noise as an input transform: the usual baseline beside adversarial
training (e.g. Chen, Agarwal, Nguyen 2020), a perturbation of the same size that does not
depend on the network.

Each step, every training input becomes ``x + std * z`` with ``z ~ N(0, I)`` drawn afresh
(i.i.d. over examples and coordinates), then clamped to the dataset's valid input range
``clip`` when it has one (as adversarial examples are). The draw comes from the run's
generator (its shuffling stream), so a run is reproducible and seeds trained at once draw
each seed's noise from its own generator (:func:`simbias.train.seed_steps.noise_seeds`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class NoiseParams(Params):
    """The noise piece's parameters: i.i.d. N(0, std^2) added to every input coordinate."""

    std: float = param(
        description="Standard deviation of the gaussian noise on each input coordinate.",
        exclusive_minimum=0,
    )

    def __post_init__(self) -> None:
        if isinstance(self.std, bool) or not (math.isfinite(self.std) and self.std > 0):
            raise ValueError(f"std must be a finite number > 0, got {self.std!r}")


def add_noise(
    x: torch.Tensor,
    std: float,
    clip: tuple[float, float] | None,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """``x + std * z``, ``z ~ N(0, I)`` from ``generator`` (on x's device; None: the global
    RNG), clamped to ``clip`` (None: unbounded). No host synchronisation."""
    z = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    noisy = x + std * z
    return noisy if clip is None else noisy.clamp(clip[0], clip[1])
