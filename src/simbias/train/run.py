"""Train one run (dataset x model x regime x seed) and write its artefacts.

Artefacts in ``out_dir``: ``model.pt`` (state_dict), ``history.csv`` (per epoch),
``final.json`` (final metrics, the run's resolved config, the code version).
``checkpoint.pt`` exists only while the run is unfinished.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from simbias.data.store import load_split, read_card
from simbias.io import write_atomic, write_json_atomic, write_text_atomic
from simbias.models import build_model
from simbias.provenance import code_version
from simbias.train.engine import CHECKPOINT_NAME, TensorData, fit
from simbias.train.spec import TrainSpec


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_tensors(data_dir: str | Path, split: str, device: torch.device) -> TensorData:
    split_data = load_split(data_dir, split)
    return TensorData(
        x=torch.from_numpy(split_data.x).to(device), y=torch.from_numpy(split_data.y).to(device)
    )


def train_run(
    run_spec: dict[str, Any], data_dir: str | Path, out_dir: str | Path, device: str = "cpu"
) -> dict[str, Any]:
    """Train the run described by ``run_spec`` (see ``simbias.config.plan_runs``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    device_ = torch.device(device)
    seed = int(run_spec["seed"])
    spec = TrainSpec.from_dict(run_spec["regime"]["train"])
    card = read_card(data_dir)

    seed_everything(seed)
    model_cfg = dict(run_spec["model"])
    model = build_model(
        model_cfg.pop("kind"), model_cfg, card["input_shape"], card["n_classes"]
    ).to(device_)

    train = load_tensors(data_dir, "train", device_)
    test = load_tensors(data_dir, "test", device_)
    result = fit(
        model,
        train,
        spec,
        seed,
        out_dir,
        run_spec["name"],
        eval_sets={"test": test},
        fingerprint=run_spec,
    )

    history = pd.DataFrame(result.history)
    last = result.history[-1]
    final = {
        "run": run_spec["name"],
        "epochs": spec.epochs,
        "resumed_from_epoch": result.resumed_from_epoch,
        "train_loss": last["train_loss"],
        "train_accuracy": last["train_accuracy"],
        "test_accuracy": last["test_accuracy"],
        "train_seconds": float(history["seconds"].sum()),
        "config": run_spec,
        "train_settings": spec.to_dict(),
        "dataset_card": {"seed": card["seed"], "files": card["files"]},
        "code": code_version(),
        "torch": torch.__version__,
    }
    write_atomic(out_dir / "model.pt", lambda tmp: torch.save(model.state_dict(), tmp))
    write_text_atomic(out_dir / "history.csv", history.to_csv(index=False))
    write_json_atomic(out_dir / "final.json", final)
    (out_dir / CHECKPOINT_NAME).unlink(missing_ok=True)
    return final


def load_trained_model(run_dir: str | Path, data_dir: str | Path, device: str = "cpu"):
    """Rebuild a finished run's model from its ``final.json`` and ``model.pt``."""
    run_dir = Path(run_dir)
    final = json.loads((run_dir / "final.json").read_text())
    card = read_card(data_dir)
    model_cfg = dict(final["config"]["model"])
    model = build_model(model_cfg.pop("kind"), model_cfg, card["input_shape"], card["n_classes"])
    state = torch.load(run_dir / "model.pt", map_location=device, weights_only=True)
    model.load_state_dict(state)
    return model.to(device).eval()
