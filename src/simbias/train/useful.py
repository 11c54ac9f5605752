"""USEFUL's change of the training distribution (Nguyen et al. 2024, "UpSample Early For
Uniform Learning"): examples whose features are learned early are separable by the network's
output early in training; the rest (the slow-learnable cluster) is upsampled once.

The paper's control (``selection="random"``) upsamples, per class, a uniformly random
subset of the slow cluster's size instead: the same counts, other examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from simbias.train.engine import TensorData, predict_logits

#: How the upsampled examples are chosen: USEFUL's slow cluster, or the random control.
SELECTIONS = ("slow_cluster", "random")


@dataclass
class UpsamplePlan:
    #: Indices into the original training set; slow-cluster examples appear repeatedly.
    indices: torch.Tensor
    #: Per example: 1 if it is in its class's slow-learnable cluster, else 0.
    slow: np.ndarray
    #: Per example: 1 if it is upsampled, else 0 (``slow`` itself for USEFUL's selection).
    upsampled: np.ndarray
    #: Per class: cluster sizes and mean losses, for the card and the figures.
    summary: dict[str, Any]


def plan_upsampling(
    model: nn.Module,
    train: TensorData,
    upsample_factor: int,
    seed: int,
    batch_size: int = 2048,
    selection: Literal["slow_cluster", "random"] = "slow_cluster",
) -> UpsamplePlan:
    """Cluster each class's output vectors (logits) in two (k-means) and repeat the examples of the
    higher-loss cluster ``upsample_factor`` times in total; with ``selection="random"``,
    repeat instead per class a uniformly random subset of the slow cluster's size, drawn
    from ``seed`` (one stream over the classes in label order)."""
    from sklearn.cluster import KMeans  # imported here: only USEFUL runs need it

    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {list(SELECTIONS)}, got {selection!r}")
    logits = predict_logits(model, train.x, batch_size).float()
    losses = F.cross_entropy(logits, train.y, reduction="none").cpu().numpy()
    # The paper clusters the network's outputs, the logits (not their softmax, which
    # squashes the confident, fast-learnable examples together).
    outputs = logits.cpu().numpy()
    labels = train.y.cpu().numpy()
    slow = np.zeros(len(labels), dtype=np.int64)
    upsampled = np.zeros(len(labels), dtype=np.int64)
    rng = np.random.default_rng(seed)
    summary: dict[str, Any] = {
        "upsample_factor": upsample_factor,
        "selection": selection,
        "classes": {},
    }
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            continue
        assignment = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(
            outputs[members]
        )
        mean_loss = [float(losses[members[assignment == c]].mean()) for c in (0, 1)]
        slow_cluster = int(np.argmax(mean_loss))
        in_slow = members[assignment == slow_cluster]
        slow[in_slow] = 1
        if selection == "random":
            chosen = rng.choice(members, size=len(in_slow), replace=False)
        else:
            chosen = in_slow
        upsampled[chosen] = 1
        summary["classes"][str(int(label))] = {
            "size": int(len(members)),
            "slow_cluster_size": int((assignment == slow_cluster).sum()),
            "fast_cluster_size": int((assignment != slow_cluster).sum()),
            "slow_cluster_mean_loss": mean_loss[slow_cluster],
            "fast_cluster_mean_loss": mean_loss[1 - slow_cluster],
            "upsampled_size": int(len(chosen)),
            "upsampled_in_slow_cluster": int(slow[chosen].sum()),
        }
    repeats = np.where(upsampled == 1, upsample_factor, 1)
    indices = np.repeat(np.arange(len(labels)), repeats)
    summary["n_before"] = int(len(labels))
    summary["n_after"] = int(len(indices))
    return UpsamplePlan(torch.from_numpy(indices).to(train.x.device), slow, upsampled, summary)
