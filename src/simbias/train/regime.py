"""Training regimes as composable pieces.

A regime is a config entry whose sections switch pieces on:

- ``train``: the base optimizer settings (SGD, or full-batch GD with ``batch_size: full``);
- ``sam``: wrap the optimizer in SAM / ASAM (an update rule, two passes per step);
- ``adversarial``: perturb each batch before the step (PGD / FGSM, an input transform);
- ``useful``: change the training distribution between two trainings (run level);
- ``ensemble``: average the logits of independently trained members (run level);
- ``policy_gradient``: REINFORCE on a chain-of-thought run's own step size after its
  supervised epochs (run level, question streams only).

So ``useful+sam`` is ``{useful: ..., sam: ...}`` and ``adv+sam`` is
``{adversarial: ..., sam: ...}``. Each piece is one module of :mod:`simbias.train.pieces`,
named after its section; a new update rule or input transform is one new module there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn
from torch.nn import functional as F

from simbias.plan.runs import NOT_PIECES as REGIME_SETTINGS
from simbias.train.optim import build_optimizer
from simbias.train.pieces import PIECES
from simbias.train.spec import TrainSpec

if TYPE_CHECKING:
    from simbias.train.pieces.ensemble import EnsembleParams
    from simbias.train.pieces.policy_gradient import PolicyGradientParams
    from simbias.train.pieces.useful import UsefulParams

#: Regime keys that are not pieces (the plan's list, plus the run spec's name).
NOT_PIECES = ("name", *REGIME_SETTINGS)


#: A mean training loss from logits and labels (simbias.train.losses.mean_loss).
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class Update(Protocol):
    """An update rule: the optimizer it steps, and one training step on a batch that
    descends ``loss_fn`` (the spec's training loss; cross-entropy when not given)."""

    def build_optimizer(self, spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer: ...

    def __call__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        inputs: torch.Tensor,
        labels: torch.Tensor,
        loss_fn: LossFn = F.cross_entropy,
    ) -> tuple[torch.Tensor, torch.Tensor]: ...


@dataclass(frozen=True)
class PlainUpdate:
    """One (stochastic) gradient step of the base optimizer."""

    def build_optimizer(self, spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer:
        return build_optimizer(spec, model)

    def __call__(self, model, optimizer, inputs, labels, loss_fn=F.cross_entropy):
        logits = model(inputs)
        loss = loss_fn(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss, logits


InputTransform = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]


@dataclass(frozen=True)
class Regime:
    name: str
    train: TrainSpec
    update: Update = PlainUpdate()
    transform: InputTransform | None = None
    useful: UsefulParams | None = None
    ensemble: EnsembleParams | None = None
    policy_gradient: PolicyGradientParams | None = None

    @classmethod
    def from_dict(cls, spec: dict[str, Any], input_range: Sequence[float] | None = None) -> Regime:
        """Build from a resolved regime spec ``{name, train, [sam], [adversarial], ...}``:
        each other section is a piece, looked up in ``PIECES`` and put in its slot.
        ``input_range`` (the dataset's valid range) bounds adversarial examples."""
        name = spec.get("name")
        unknown = sorted(set(spec) - set(NOT_PIECES) - set(PIECES.names()))
        if unknown:
            raise ValueError(
                f"regime {name!r}: unknown sections {unknown}; known: "
                f"{[*NOT_PIECES, *PIECES.names()]}"
            )
        slots: dict[str, Any] = {}
        filled_by: dict[str, str] = {}
        for section, values in spec.items():
            if section in NOT_PIECES or values is None:
                continue
            entry = PIECES.get(section)
            slot = entry.meta["slot"]
            if slot in slots:
                raise ValueError(
                    f"regime {name!r}: {filled_by[slot]} and {section} both set the {slot}"
                )
            params = entry.params.from_dict(values, f"regime {name}/{section}")
            slots[slot] = entry.obj.from_params(params, input_range)
            filled_by[slot] = section
        train = TrainSpec.from_dict(spec.get("train"), f"regime {name}/train")
        if train.mixup > 0 and "transform" in slots:
            # The transform (an attack, noise) sees the batch's own labels, while a mixed
            # step descends the loss of two labels: not one objective.
            raise ValueError(
                f"regime {name!r}: train.mixup and {filled_by['transform']} cannot be combined"
            )
        return cls(name=spec["name"], train=train, **slots)

    @classmethod
    def plain(cls, spec: TrainSpec, name: str = "sgd") -> Regime:
        return cls(name=name, train=spec)
