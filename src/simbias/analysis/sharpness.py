"""Sharpness at a run's final weights: the top eigenvalue of the Hessian of its training
loss, and that loss, on a fixed subset of its stored training split.

The loss is the one the run trained on (``final.json``'s ``train_settings.loss``:
cross-entropy, Cohen et al.'s square loss, regression MSE, ...), on clean training
examples: regimes that perturb their inputs (noise, adversarial) or resample them (USEFUL)
are measured on the same examples as every other run of the dataset. The eigenvalue is
:func:`simbias.train.sharpness.top_hessian_eigenvalue`, the dynamics recorder's
measurement, so the two agree where both exist. No learning rate enters: a final sharpness
compares regimes, whatever step size each took.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from simbias.data.store import load_split
from simbias.train.losses import LOSS_NAMES, mean_loss
from simbias.train.run import load_trained_model
from simbias.train.sharpness import mean_training_loss, top_hessian_eigenvalue

#: Draws the subset of training examples: one fixed seed, so that every run of a dataset,
#: whatever its own seed, is measured on the same examples (stored splits may be ordered:
#: sum_of_sines by t, image_regression by pixel row, so not the first n).
SUBSET_SEED = 0


def training_subset(n: int, size: int) -> np.ndarray:
    """Sorted indices of ``size`` of ``n`` training examples (all where ``size`` is 0 or at
    least ``n``), the same for every run."""
    if size == 0 or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(SUBSET_SEED).choice(n, size, replace=False))


def run_loss_name(run_dir: str | Path) -> str:
    """The loss a finished run trained on (runs from before the loss was a setting trained
    on the default, cross-entropy)."""
    final = json.loads((Path(run_dir) / "final.json").read_text())
    return final["train_settings"].get("loss", LOSS_NAMES[0])


def final_sharpness(
    run_dir: str | Path,
    data_dir: str | Path,
    device: str = "cpu",
    seed: int = 0,
    examples: int = 512,
    iters: int = 20,
    tol: float = 1e-3,
    batch_statistics: bool = True,
) -> dict[str, float]:
    """``train_sharpness`` (top Hessian eigenvalue, power iteration from a start drawn from
    ``seed``: ``iters`` products at most, relative tolerance ``tol``) and ``train_loss`` of
    the run's training loss on ``examples`` training examples (0: all), at its final
    weights; BatchNorm as ``batch_statistics`` says (simbias.train.sharpness)."""
    loss_fn = mean_loss(run_loss_name(run_dir))
    model = load_trained_model(run_dir, data_dir, device)
    train = load_split(data_dir, "train")
    index = training_subset(len(train.y), examples)
    x = torch.from_numpy(train.x[index]).to(device)
    y = torch.from_numpy(train.y[index]).to(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    sharpness = top_hessian_eigenvalue(
        model, loss_fn, x, y, iters=iters, tol=tol, generator=generator,
        batch_statistics=batch_statistics,
    )  # fmt: skip
    return {
        "train_sharpness": sharpness,
        "train_loss": mean_training_loss(model, loss_fn, x, y, batch_statistics),
    }
