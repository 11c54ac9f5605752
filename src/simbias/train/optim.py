"""Optimizer and learning-rate schedule from a TrainSpec."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from simbias.train.spec import TrainSpec


def base_optimizer(spec: TrainSpec) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """The torch optimizer class of ``spec`` and its keyword arguments (SAM wraps them)."""
    if spec.optimizer in ("adam", "adamw"):
        cls = torch.optim.AdamW if spec.optimizer == "adamw" else torch.optim.Adam
        return cls, {
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
    optimizer = cls(model.parameters(), **settings)
    if spec.grad_clip is not None:
        clip_before_step(optimizer, model, spec.grad_clip)
    return optimizer


def clip_before_step(optimizer: torch.optim.Optimizer, model: nn.Module, max_norm: float) -> None:
    """Clip the gradient's global norm before every ``optimizer.step()`` (a step pre-hook,
    so every update rule that steps this optimizer clips, and nothing is checkpointed)."""
    parameters = [p for p in model.parameters() if p.requires_grad]

    def clip(*_: Any) -> None:
        torch.nn.utils.clip_grad_norm_(parameters, max_norm)

    optimizer.register_step_pre_hook(clip)


def build_scheduler(
    spec: TrainSpec, optimizer: torch.optim.Optimizer, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """A per-step schedule, so that full-batch GD and SGD anneal over the same epochs."""
    total_steps = spec.epochs * steps_per_epoch
    milestones = [m * steps_per_epoch for m in spec.milestones]

    warmup, floor = spec.warmup_steps, spec.min_lr_ratio

    def factor(step: int) -> float:
        if step < warmup:  # cot-length get_lr: lr * it / warmup_iters, so 0 at step 0
            return step / warmup
        if spec.schedule == "cosine":
            progress = min(step - warmup, total_steps - warmup) / max(total_steps - warmup, 1)
            return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
        if spec.schedule == "step":
            return spec.gamma ** sum(step >= m for m in milestones)
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
