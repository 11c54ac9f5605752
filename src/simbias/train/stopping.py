"""Stopping on a goal: end training once the network fits its training set well enough.

``TrainSpec.loss_goal`` stops a run once its training loss is below the goal (Shah et al.
2020, ``fit_model(..., is_loss_epsilon=True, epsilon=0.01)``), ``accuracy_goal`` once its
training accuracy reaches the goal (their default ``acc_tr >= 1 - epsilon``; Cohen et al.
2021's ``--acc_goal``); ``epochs`` is then the maximum. As in those papers the goal is a
measurement of the model, not the running mean over an epoch's batches: at the end of
every epoch, the whole training set (clean, unaugmented), the model in eval mode, the
training loss (``TrainSpec.loss``, what every update rule minimises).

The measurements go into the epoch's history row (``goal_train_loss``,
``goal_train_accuracy``) and the decision is a function of that row alone
(:func:`goal_stop`): a run resumed from a checkpoint finds out from its history whether it
had already stopped, and ``fit`` and ``fit_seeds`` decide the same way, seed by seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from simbias.train.losses import per_example_loss
from simbias.train.spec import TrainSpec

GOAL_LOSS = "goal_train_loss"
GOAL_ACCURACY = "goal_train_accuracy"


@dataclass(frozen=True)
class GoalStop:
    """A run that stopped on its goal: after which epoch, and why."""

    epoch: int
    reason: str


def has_goal(spec: TrainSpec) -> bool:
    return spec.loss_goal is not None or spec.accuracy_goal is not None


@torch.no_grad()
def goal_measures(
    logits: torch.Tensor, labels: torch.Tensor, loss: str = "cross_entropy"
) -> dict[str, torch.Tensor]:
    """The goal's measurements from the eval-mode logits of the whole training set, on the
    device: one network's (N, C) logits give scalars, S seeds' (S, N, C) one value each.
    The mean training loss ``loss`` (:mod:`simbias.train.losses`), and the accuracy (a
    float64 fraction: exactly k / N)."""
    shape = logits.shape[:-1]
    per_example = per_example_loss(loss)(logits, labels.expand(shape))
    correct = (logits.argmax(dim=-1) == labels).sum(dim=-1)
    return {
        GOAL_LOSS: per_example.mean(dim=-1),
        GOAL_ACCURACY: correct.double() / labels.numel(),
    }


def goal_stop(spec: TrainSpec, history: list[dict[str, Any]]) -> GoalStop | None:
    """Whether training stops after the last epoch of ``history``: its goal measurements
    met ``spec``'s goal (loss below ``loss_goal``, or accuracy at least ``accuracy_goal``),
    else None (no goal, or not reached)."""
    if not history or not has_goal(spec):
        return None
    row = history[-1]
    reasons = []
    if spec.loss_goal is not None and row[GOAL_LOSS] < spec.loss_goal:
        reasons.append(f"loss_goal {spec.loss_goal:g} reached")
    if spec.accuracy_goal is not None and row[GOAL_ACCURACY] >= spec.accuracy_goal:
        reasons.append(f"accuracy_goal {spec.accuracy_goal:g} reached")
    return GoalStop(epoch=int(row["epoch"]), reason="; ".join(reasons)) if reasons else None
