"""SAM / ASAM as a regime piece: the update rule that takes two passes per step."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from simbias.params import Params, param
from simbias.train.optim import base_optimizer
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece
from simbias.train.sam import SAM, bn_stats_frozen
from simbias.train.spec import TrainSpec


@dataclass(frozen=True, kw_only=True)
class SamParams(Params):
    """The sam piece's parameters."""

    rho: float = param(0.05, description="Radius of the weight perturbation.", exclusive_minimum=0)
    adaptive: bool = param(False, description="ASAM (Kwon et al. 2021) scale-invariant radius.")


@PIECES.register(
    "sam",
    params=SamParams,
    caption="Sharpness-aware minimization around the base optimizer (Foret et al. 2021).",
    slot="update",
    seeds_at_once=True,  # simbias.train.seed_steps.sam_step
)
@dataclass(frozen=True, kw_only=True)
class SamUpdate(Piece, SamParams):
    """Sharpness-aware update: gradient at w + e(w), applied at w by the base optimizer
    (SGD or Adam; Foret et al. 2021)."""

    def build_optimizer(self, spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer:
        cls, settings = base_optimizer(spec)
        return SAM(model.parameters(), cls, rho=self.rho, adaptive=self.adaptive, **settings)

    def __call__(self, model, optimizer, inputs, labels, loss_fn=F.cross_entropy):
        logits = model(inputs)
        loss = loss_fn(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.first_step(zero_grad=True)
        # BatchNorm statistics come from the first pass only.
        with bn_stats_frozen(model):
            loss_fn(model(inputs), labels).backward()
        optimizer.second_step(zero_grad=True)
        return loss, logits
