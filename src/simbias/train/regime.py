"""Training regimes as composable pieces.

A regime is a config entry whose sections switch pieces on:

- ``train``: the base optimizer settings (SGD, or full-batch GD with ``batch_size: full``);
- ``sam``: wrap the optimizer in SAM / ASAM (an update rule, two passes per step);
- ``adversarial``: perturb each batch before the step (PGD / FGSM, an input transform);
- ``useful``: change the training distribution between two trainings (run level);
- ``ensemble``: average the logits of independently trained members (run level).

So ``useful+sam`` is ``{useful: ..., sam: ...}`` and ``adv+sam`` is
``{adversarial: ..., sam: ...}``; a new piece is one small class plus a config section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from simbias.train.adversarial import Attack, perturb
from simbias.train.optim import base_optimizer, build_optimizer
from simbias.train.sam import SAM, bn_stats_frozen
from simbias.train.spec import TrainSpec, settings_from_dict


@dataclass(frozen=True)
class SamUpdate:
    """Sharpness-aware update: gradient at w + e(w), applied at w by the base optimizer
    (SGD or Adam; Foret et al. 2021)."""

    rho: float = 0.05
    adaptive: bool = False

    def __post_init__(self) -> None:
        if not self.rho > 0:
            raise ValueError(f"sam.rho must be > 0, got {self.rho}")

    def build_optimizer(self, spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer:
        cls, settings = base_optimizer(spec)
        return SAM(model.parameters(), cls, rho=self.rho, adaptive=self.adaptive, **settings)

    def __call__(self, model, optimizer, inputs, labels):
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.first_step(zero_grad=True)
        # BatchNorm statistics come from the first pass only.
        with bn_stats_frozen(model):
            F.cross_entropy(model(inputs), labels).backward()
        optimizer.second_step(zero_grad=True)
        return loss, logits


@dataclass(frozen=True)
class PlainUpdate:
    """One (stochastic) gradient step of the base optimizer."""

    def build_optimizer(self, spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer:
        return build_optimizer(spec, model)

    def __call__(self, model, optimizer, inputs, labels):
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss, logits


@dataclass(frozen=True)
class AdversarialTransform:
    """Replace each batch by adversarial examples before the step (Madry et al. 2018)."""

    attack: Attack

    def __call__(self, model, inputs, labels, generator):
        return perturb(model, inputs, labels, self.attack, generator=generator)


@dataclass(frozen=True)
class UsefulSettings:
    """USEFUL (Nguyen et al. 2024): after ``separating_epoch`` epochs, cluster each class's
    network outputs in two with k-means and upsample the slow-learnable (higher-loss) cluster
    ``upsample_factor`` times in total (2 = its examples appear twice), then retrain."""

    separating_epoch: int
    upsample_factor: int = 2

    def __post_init__(self) -> None:
        if self.separating_epoch < 1:
            raise ValueError(f"useful.separating_epoch must be >= 1, got {self.separating_epoch}")
        if self.upsample_factor < 2:
            raise ValueError(f"useful.upsample_factor must be >= 2, got {self.upsample_factor}")


@dataclass(frozen=True)
class EnsembleSettings:
    """Average the logits of ``members`` independently trained networks."""

    members: int = 5

    def __post_init__(self) -> None:
        if self.members < 2:
            raise ValueError(f"ensemble.members must be >= 2, got {self.members}")


InputTransform = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]
Update = PlainUpdate | SamUpdate


@dataclass(frozen=True)
class Regime:
    name: str
    train: TrainSpec
    update: PlainUpdate | SamUpdate = PlainUpdate()
    transform: AdversarialTransform | None = None
    useful: UsefulSettings | None = None
    ensemble: EnsembleSettings | None = None

    @classmethod
    def from_dict(cls, spec: dict[str, Any], input_range=None) -> Regime:
        """Build from a resolved regime spec ``{name, train, [sam], [adversarial], ...}``.
        ``input_range`` (the dataset's valid range) bounds adversarial examples."""
        known = {"name", "train", "sam", "adversarial", "useful", "ensemble", "description"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"regime {spec.get('name')!r}: unknown sections {unknown}")
        transform = None
        if spec.get("adversarial") is not None:
            attack = dict(spec["adversarial"])
            attack.setdefault("clip", tuple(input_range) if input_range else None)
            transform = AdversarialTransform(Attack.from_dict(attack))
        return cls(
            name=spec["name"],
            train=TrainSpec.from_dict(spec.get("train", {})),
            update=settings_from_dict(SamUpdate, "sam", spec["sam"])
            if spec.get("sam") is not None
            else PlainUpdate(),
            transform=transform,
            useful=settings_from_dict(UsefulSettings, "useful", spec["useful"])
            if spec.get("useful") is not None
            else None,
            ensemble=settings_from_dict(EnsembleSettings, "ensemble", spec["ensemble"])
            if spec.get("ensemble") is not None
            else None,
        )

    @classmethod
    def plain(cls, spec: TrainSpec, name: str = "sgd") -> Regime:
        return cls(name=name, train=spec)
