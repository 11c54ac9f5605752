"""Robust accuracy of a trained run under a fixed PGD attack on its test set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from simbias.data.store import load_split, read_card
from simbias.train.adversarial import Attack, robust_accuracy
from simbias.train.engine import predict_logits
from simbias.train.run import load_trained_model


def robustness(
    run_dir: str | Path, data_dir: str | Path, device: str = "cpu", attack: dict | None = None
) -> dict[str, Any]:
    """Clean and robust test accuracy under ``attack`` (``Attack`` fields but ``clip``,
    which comes from the dataset): the experiment's ``analysis_settings/robustness``."""
    if not attack:
        raise ValueError("the robustness analysis needs an attack (analysis_settings/robustness)")
    card = read_card(data_dir)
    settings = dict(attack)
    settings.setdefault("clip", tuple(card["input_range"]) if card.get("input_range") else None)
    threat = Attack.from_dict(settings)
    model = load_trained_model(run_dir, data_dir, device)
    test = load_split(data_dir, "test")
    x, y = torch.from_numpy(test.x).to(device), torch.from_numpy(test.y).to(device)
    generator = torch.Generator(device=device).manual_seed(0)
    clean = float((predict_logits(model, x).argmax(1) == y).float().mean())
    return {
        "clean_accuracy": clean,
        "robust_accuracy": robust_accuracy(model, x, y, threat, generator=generator),
    }
