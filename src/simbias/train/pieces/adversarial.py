"""Adversarial training as a regime piece: each batch replaced by adversarial examples
before the step (Madry et al. 2018). The attack's settings are the attack code's own
(:class:`simbias.train.adversarial.AdversarialParams`), shared with the robustness
analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simbias.train.adversarial import AdversarialParams, Attack, perturb
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece


@PIECES.register(
    "adversarial",
    params=AdversarialParams,
    caption="Adversarial training; each batch is replaced by adversarial examples.",
    slot="transform",
    seeds_at_once=True,  # simbias.train.seed_steps.perturb_seeds
)
@dataclass(frozen=True)
class AdversarialTransform(Piece):
    """Replace each batch by adversarial examples before the step (Madry et al. 2018)."""

    attack: Attack

    @classmethod
    def from_params(
        cls, params: AdversarialParams, input_range: Sequence[float] | None = None
    ) -> AdversarialTransform:
        """The attack of ``params``, its examples kept in the dataset's ``input_range``."""
        return cls(Attack.from_params(params, clip=input_range))

    def __call__(self, model, inputs, labels, generator):
        return perturb(model, inputs, labels, self.attack, generator=generator)
