"""Optimizer and learning-rate schedule from a TrainSpec; :class:`Lion`, the one update rule
torch does not have."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from simbias.train.spec import TrainSpec


def base_optimizer(spec: TrainSpec) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """The torch optimizer class of ``spec`` and its keyword arguments (SAM wraps them)."""
    if spec.optimizer == "lion":
        return Lion, {"lr": spec.lr, "betas": tuple(spec.betas), "weight_decay": spec.weight_decay}
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


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, Algorithm 2),
    the optimizer of Bachmann et al. 2023 (gregorbachmann/scaling_mlps utils/optimizer.py,
    lr 5e-5, betas (0.9, 0.99)). Per parameter, with gradient g and momentum m::

        w <- w (1 - lr wd)                        decoupled weight decay
        w <- w - lr sign(beta1 m + (1 - beta1) g)  a step of lr in every coordinate
        m <- beta2 m + (1 - beta2) g

    Every operation is elementwise, so on seeds' parameters stacked along a leading axis
    (simbias.train.vmap_seeds) it is each seed's own Lion. Written here rather than taken
    from the lion-pytorch package: the rule is the three lines above, tested against them.
    """

    def __init__(
        self, params, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
    ) -> None:  # fmt: skip
        if not lr > 0:
            raise ValueError(f"Lion's lr must be above 0, got {lr}")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Lion's betas must lie in [0, 1), got {betas}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                momentum = state["exp_avg"]
                if decay:
                    p.mul_(1 - lr * decay)
                p.add_(torch.sign(momentum.lerp(p.grad, 1 - beta1)), alpha=-lr)
                momentum.lerp_(p.grad, 1 - beta2)
        return loss


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
