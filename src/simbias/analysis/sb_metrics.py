"""Simplicity-bias metrics of one trained run (Shah et al. 2020, sec. 3).

A model that relies only on the simple feature keeps its test accuracy on the
S^c-randomised set (complex features shuffled) and falls to chance on the
S-randomised set (simple feature shuffled).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from simbias.data.base import Split
from simbias.data.store import load_split
from simbias.train.engine import predict_logits
from simbias.train.run import load_trained_model

EVAL_SPLITS = ("test", "s_rand", "sc_rand")


def accuracy_and_auc(logits: torch.Tensor, labels: np.ndarray) -> dict[str, float]:
    """Accuracy, and ROC AUC scored on logits, never on softmax probabilities: a float32
    softmax saturates to exactly 1.0 once the logit margin passes about 17, confident
    predictions then tie, and ties pull the AUC towards 0.5. Two classes: the logit margin
    ``L[:, 1] - L[:, 0]``, as Shah et al.'s ``scripts/utils.py`` scores it; more classes:
    macro one-vs-rest, class k scored by its logit margin over the best other class."""
    scores = logits.double().cpu().numpy()
    accuracy = float((scores.argmax(axis=1) == labels).mean())
    if scores.shape[1] == 2:
        auc = roc_auc_score(labels, scores[:, 1] - scores[:, 0])
    else:
        aucs = []
        for k in np.unique(labels):
            others = np.delete(scores, k, axis=1).max(axis=1)
            aucs.append(roc_auc_score(labels == k, scores[:, k] - others))
        auc = float(np.mean(aucs))
    return {"accuracy": accuracy, "auc": float(auc)}


def split_logits(
    run_dir: str | Path, data_dir: str | Path, device: str = "cpu"
) -> Iterator[tuple[str, Split, torch.Tensor]]:
    """The run's logits on the test, S-randomised and S^c-randomised sets, one split at a
    time: ``(split name, split, logits)``."""
    model = load_trained_model(run_dir, data_dir, device)
    for split in EVAL_SPLITS:
        data = load_split(data_dir, split)
        yield split, data, predict_logits(model, torch.from_numpy(data.x).to(device))


def sb_metrics(run_dir: str | Path, data_dir: str | Path, device: str = "cpu") -> dict[str, Any]:
    """Accuracy and AUC on the test, S-randomised and S^c-randomised sets."""
    metrics: dict[str, Any] = {}
    for split, data, logits in split_logits(run_dir, data_dir, device):
        for name, value in accuracy_and_auc(logits, data.y).items():
            metrics[f"{split}_{name}"] = value
    return metrics
