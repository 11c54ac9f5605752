"""USEFUL's change of the training distribution (Nguyen et al. 2024, "UpSample Early For
Uniform Learning"): examples whose features are learned early are separable by the network's
output early in training; the rest (the slow-learnable cluster) is upsampled once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from simbias.train.engine import TensorData, predict_logits


@dataclass
class UpsamplePlan:
    #: Indices into the original training set; slow-cluster examples appear repeatedly.
    indices: torch.Tensor
    #: Per example: 1 if it is in its class's slow-learnable cluster, else 0.
    slow: np.ndarray
    #: Per class: cluster sizes and mean losses, for the card and the figures.
    summary: dict[str, Any]


def plan_upsampling(
    model: nn.Module, train: TensorData, upsample_factor: int, seed: int, batch_size: int = 2048
) -> UpsamplePlan:
    """Cluster each class's output vectors in two (k-means) and repeat the examples of the
    higher-loss cluster ``upsample_factor`` times in total."""
    from sklearn.cluster import KMeans  # imported here: only USEFUL runs need it

    logits = predict_logits(model, train.x, batch_size)
    losses = F.cross_entropy(logits, train.y, reduction="none").cpu().numpy()
    outputs = torch.softmax(logits.float(), dim=1).cpu().numpy()
    labels = train.y.cpu().numpy()
    slow = np.zeros(len(labels), dtype=np.int64)
    summary: dict[str, Any] = {"upsample_factor": upsample_factor, "classes": {}}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            continue
        assignment = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(
            outputs[members]
        )
        mean_loss = [float(losses[members[assignment == c]].mean()) for c in (0, 1)]
        slow_cluster = int(np.argmax(mean_loss))
        slow[members[assignment == slow_cluster]] = 1
        summary["classes"][str(int(label))] = {
            "size": int(len(members)),
            "slow_cluster_size": int((assignment == slow_cluster).sum()),
            "fast_cluster_size": int((assignment != slow_cluster).sum()),
            "slow_cluster_mean_loss": mean_loss[slow_cluster],
            "fast_cluster_mean_loss": mean_loss[1 - slow_cluster],
        }
    repeats = np.where(slow == 1, upsample_factor, 1)
    indices = np.repeat(np.arange(len(labels)), repeats)
    summary["n_before"] = int(len(labels))
    summary["n_after"] = int(len(indices))
    return UpsamplePlan(torch.from_numpy(indices).to(train.x.device), slow, summary)
