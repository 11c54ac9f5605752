"""Optimizer and learning-rate schedule from a TrainSpec."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from simbias.train.spec import TrainSpec


def base_optimizer(spec: TrainSpec) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """The torch optimizer class of ``spec`` and its keyword arguments (SAM wraps them)."""
    if spec.optimizer == "adam":
        return torch.optim.Adam, {
            "lr": spec.lr,
            "betas": tuple(spec.betas),
            "weight_decay": spec.weight_decay,
        }
    return torch.optim.SGD, {
        "lr": spec.lr,
        "momentum": spec.momentum,
        "weight_decay": spec.weight_decay,
        "nesterov": spec.nesterov and spec.momentum > 0,
    }


def build_optimizer(spec: TrainSpec, model: nn.Module) -> torch.optim.Optimizer:
    cls, settings = base_optimizer(spec)
    return cls(model.parameters(), **settings)


def build_scheduler(
    spec: TrainSpec, optimizer: torch.optim.Optimizer, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """A per-step schedule, so that full-batch GD and SGD anneal over the same epochs."""
    total_steps = spec.epochs * steps_per_epoch
    milestones = [m * steps_per_epoch for m in spec.milestones]

    def factor(step: int) -> float:
        if spec.schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))
        if spec.schedule == "step":
            return spec.gamma ** sum(step >= m for m in milestones)
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
