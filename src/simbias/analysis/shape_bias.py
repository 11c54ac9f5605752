"""Shape bias (Geirhos et al., ICLR 2019) of a trained run on the cue-conflict dataset.

On images whose shape says class ``a`` and whose texture says ``b != a``, the shape bias
is the fraction of *cue-decided* answers (the prediction is ``a`` or ``b``) that follow the
shape; answers matching neither cue are left out, as in Geirhos et al. The run-level
analysis adds accuracies on the single-cue splits, which tell which cue the network can
use at all, and the facts the cue-amplitude sweep plots against: the dataset's
``cue_amplitude`` (the L-inf radius that erases its weaker non-shape cue, from its card;
simbias.data.cue_images.cue_amplitudes) and, for a run trained under an L-inf attack,
its radius ``attack_linf_eps``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from simbias.data.store import load_split, read_card
from simbias.train.engine import predict_logits
from simbias.train.run import load_trained_model

#: Splits whose plain accuracy is reported next to the shape bias.
ACCURACY_SPLITS = ("test", "shape_only", "texture_only", "colour_only")


def shape_bias(
    predictions: np.ndarray, shape_labels: np.ndarray, texture_labels: np.ndarray
) -> dict[str, float]:
    """``shape_bias`` (shape decisions / cue decisions; NaN when no answer follows a cue),
    the counts ``shape_decisions`` and ``texture_decisions``, and ``cue_fraction``, the
    fraction of all images decided by either cue."""
    predictions, shape_labels, texture_labels = (
        np.asarray(a).ravel() for a in (predictions, shape_labels, texture_labels)
    )
    if not len(predictions) == len(shape_labels) == len(texture_labels):
        raise ValueError("predictions, shape_labels and texture_labels differ in length")
    if np.any(shape_labels == texture_labels):
        raise ValueError("cue-conflict images need a texture class different from the shape")
    shape = int(np.sum(predictions == shape_labels))
    texture = int(np.sum(predictions == texture_labels))
    decided = shape + texture
    return {
        "shape_bias": shape / decided if decided else float("nan"),
        "shape_decisions": float(shape),
        "texture_decisions": float(texture),
        "cue_fraction": decided / len(predictions) if len(predictions) else float("nan"),
    }


def shape_bias_analysis(
    run_dir: str | Path,
    data_dir: str | Path,
    device: str = "cpu",
    settings: dict[str, Any] | None = None,
) -> dict[str, float]:
    """Shape and texture bias on the ``conflict`` split and ``{split}_accuracy`` on
    ``ACCURACY_SPLITS``; ``settings`` may set ``batch_size`` for inference."""
    batch_size = int((settings or {}).get("batch_size", 2048))
    model = load_trained_model(run_dir, data_dir, device)

    def predict(split: str) -> tuple[np.ndarray, Any]:
        data = load_split(data_dir, split)
        logits = predict_logits(model, torch.from_numpy(data.x).to(device), batch_size)
        return logits.argmax(1).cpu().numpy(), data

    predictions, conflict = predict("conflict")
    metrics = shape_bias(
        predictions, conflict.attributes["shape_label"], conflict.attributes["texture_label"]
    )
    metrics["texture_bias"] = 1.0 - metrics["shape_bias"]
    for split in ACCURACY_SPLITS:
        predictions, data = predict(split)
        metrics[f"{split}_accuracy"] = float(np.mean(predictions == data.y))
    return {**metrics, **sweep_facts(run_dir, data_dir)}


def sweep_facts(run_dir: str | Path, data_dir: str | Path) -> dict[str, float]:
    """``cue_amplitude`` of the dataset (where its card records one) and, for an L-inf
    adversarially trained run, ``attack_linf_eps``."""
    facts = {}
    amplitude = read_card(data_dir)["generator"].get("cue_amplitude")
    if amplitude is not None:
        facts["cue_amplitude"] = float(amplitude)
    final = json.loads((Path(run_dir) / "final.json").read_text())
    attack = final["config"]["regime"].get("adversarial") or {}
    if attack.get("norm") == "linf":
        facts["attack_linf_eps"] = float(attack["eps"])
    return facts
