"""The training losses, by name (``TrainSpec.loss``): what every update rule minimises,
what the stopping goals measure and whose Hessian the sharpness is.

- ``cross_entropy``: softmax cross-entropy of the logits (the default);
- ``mse``: the square loss of Cohen et al. 2021 (locuslab/edge-of-stability,
  ``src/utilities.py`` ``SquaredLoss`` with ``src/cifar.py`` ``make_labels``): half the
  squared distance of the outputs to the one-hot (0/1) label, summed over classes,
  averaged over examples.
- ``regression_mse``: for real-valued targets, the squared error of every prediction,
  averaged over a prompt's points and over prompts (in-context regression: Panwar et al.'s
  ``mean_squared_error``, icl-bayesian-prism src/tasks.py, the training metric of every task).
- ``next_token``: a language model's cross-entropy of each next token, logits (..., L, V)
  against targets (..., L) in which tokens outside the loss mask are ``IGNORED`` (-100);
  the mean is over every target token of the batch (Wu et al. 2025's loss, cot-length
  synthetic/train.py: F.cross_entropy with ignore_index on the masked question).
- ``smoothed_cross_entropy``: cross-entropy against the label smoothed by
  ``LABEL_SMOOTHING`` = 0.3 (1 - 0.3 + 0.3 / C on the class, 0.3 / C elsewhere), Bachmann
  et al. 2023's pre-training and fine-tuning loss (scaling_mlps utils/parsers.py
  ``--smooth 0.3``, train.py ``CrossEntropyLoss(label_smoothing=args.smooth)``).

Each loss is given per example, (...,) from logits (..., C) and labels (...,), so one
network's batch and S stacked seeds' batches go through the same function; for
``regression_mse`` an example is a prompt, predictions and targets (..., P).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

PerExampleLoss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cross_entropy_per_example(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    flat = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none"
    )
    return flat.view(labels.shape)


#: Bachmann et al. 2023's label smoothing (scaling_mlps utils/parsers.py, --smooth).
LABEL_SMOOTHING = 0.3


def smoothed_cross_entropy_per_example(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    flat = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        labels.reshape(-1),
        reduction="none",
        label_smoothing=LABEL_SMOOTHING,
    )
    return flat.view(labels.shape)


def _mean_smoothed_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, labels, label_smoothing=LABEL_SMOOTHING)


def mse_per_example(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    target = F.one_hot(labels, logits.shape[-1]).to(logits.dtype)
    return 0.5 * (logits - target).square().sum(dim=-1)


def regression_mse_per_example(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (predictions - targets).square().mean(dim=-1)


#: A target token outside the loss mask (torch's default ignore_index).
IGNORED = -100


def next_token_per_example(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    flat = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none"
    ).view(targets.shape)
    counted = (targets != IGNORED).sum(dim=-1).clamp(min=1)
    return flat.sum(dim=-1) / counted


def _mean_next_token(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORED
    )


PER_EXAMPLE: dict[str, PerExampleLoss] = {
    "cross_entropy": cross_entropy_per_example,
    "mse": mse_per_example,
    "regression_mse": regression_mse_per_example,
    "next_token": next_token_per_example,
    "smoothed_cross_entropy": smoothed_cross_entropy_per_example,
}

#: The names ``TrainSpec.loss`` accepts, the default first.
LOSS_NAMES = tuple(PER_EXAMPLE)
#: The losses of real-valued targets: their runs have no accuracy, only losses.
REGRESSION_LOSSES = ("regression_mse",)


def is_regression(name: str) -> bool:
    """Whether the loss ``name`` fits real-valued targets (no classes, no accuracy)."""
    return name in REGRESSION_LOSSES


def per_example_loss(name: str) -> PerExampleLoss:
    """The loss ``name`` of every example: (...,) from logits (..., C) and labels (...,)."""
    try:
        return PER_EXAMPLE[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {list(LOSS_NAMES)}") from None


def _mean_mse(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return mse_per_example(logits, labels).mean()


#: The mean over examples; cross-entropy's is torch's own, bit-identical to what runs
#: trained with before the loss became a setting.
MEAN: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "cross_entropy": F.cross_entropy,
    "mse": _mean_mse,
    # (ys_pred - ys).square().mean(): every point of every prompt weighs the same.
    "regression_mse": F.mse_loss,
    "next_token": _mean_next_token,
    "smoothed_cross_entropy": _mean_smoothed_cross_entropy,
}


def mean_loss(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The loss ``name`` averaged over examples, from logits (N, C) and labels (N,): the
    scalar a step descends."""
    per_example_loss(name)  # a clear error for an unknown name
    return MEAN[name]
