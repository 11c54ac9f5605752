"""Simplicity-bias metrics of one trained run (Shah et al. 2020, sec. 3).

A model that relies only on the simple feature keeps its test accuracy on the
S^c-randomised set (complex features shuffled) and falls to chance on the
S-randomised set (simple feature shuffled).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from simbias.data.store import load_split
from simbias.train.engine import predict_logits
from simbias.train.run import load_trained_model

EVAL_SPLITS = ("test", "s_rand", "sc_rand")


def accuracy_and_auc(logits: torch.Tensor, labels: np.ndarray) -> dict[str, float]:
    """Accuracy, and ROC AUC of the class-1 probability (one-vs-rest macro for more classes)."""
    probabilities = torch.softmax(logits.float(), dim=1).cpu().numpy()
    accuracy = float((probabilities.argmax(axis=1) == labels).mean())
    if probabilities.shape[1] == 2:
        auc = roc_auc_score(labels, probabilities[:, 1])
    else:
        auc = roc_auc_score(labels, probabilities, multi_class="ovr")
    return {"accuracy": accuracy, "auc": float(auc)}


def sb_metrics(run_dir: str | Path, data_dir: str | Path, device: str = "cpu") -> dict[str, Any]:
    """Accuracy and AUC on the test, S-randomised and S^c-randomised sets."""
    model = load_trained_model(run_dir, data_dir, device)
    metrics: dict[str, Any] = {}
    for split in EVAL_SPLITS:
        data = load_split(data_dir, split)
        logits = predict_logits(model, torch.from_numpy(data.x).to(device))
        for name, value in accuracy_and_auc(logits, data.y).items():
            metrics[f"{split}_{name}"] = value
    return metrics
