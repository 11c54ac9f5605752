"""A training process killed with SIGKILL resumes from its checkpoint and ends with the
same weights as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import write_blobs

REPO = Path(__file__).resolve().parents[1]
SPEC = {
    "name": "blobs/mlp/sgd/seed0",
    "dataset": "blobs",
    "seed": 0,
    "model": {"kind": "mlp", "width": 32, "depth": 2},
    "regime": {"name": "sgd", "train": {"epochs": 150, "lr": 0.05, "batch_size": 64}},
}


def _runs(vmap: bool) -> list[dict]:
    """One run alone, or two seeds trained at once."""
    if not vmap:
        return [SPEC]
    return [{**SPEC, "seed": s, "name": f"blobs/mlp/sgd/seed{s}"} for s in (0, 1)]


def _train(data: Path, root: Path, vmap: bool) -> subprocess.Popen:
    """The DAG's training job for a group: run directories in root/group, checkpoints in
    root/work/{run}."""
    spec = root / "specs" / "train" / "blobs" / "mlp" / "sgd.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps({"vmap": vmap, "runs": _runs(vmap)}))
    command = [
        sys.executable, str(REPO / "scripts" / "train.py"), "--spec", str(spec), "--data",
        str(data), "--out", str(root / "group"), "--work-root", str(root / "work"),
        "--threads", "1",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("vmap", [False, True], ids=["alone", "seeds-at-once"])
def test_sigkill_then_restart_is_bit_identical(tmp_path, vmap):
    data = write_blobs(tmp_path / "data", n=1000, dim=10)
    reference = _train(data, tmp_path / "reference", vmap)
    assert reference.wait(timeout=300) == 0, reference.stderr.read().decode()[-2000:]

    killed = _train(data, tmp_path / "killed", vmap)
    checkpoint = tmp_path / "killed" / "work" / SPEC["name"] / "checkpoint.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    staged = tmp_path / "killed" / "group" / "seed0"
    assert not (staged / "final.json").exists(), "the kill came after the end"
    assert not (staged / "model.pt").exists()

    resumed = _train(data, tmp_path / "killed", vmap)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read().decode()[-2000:]
    for run in _runs(vmap):
        staged = tmp_path / "killed" / "group" / f"seed{run['seed']}"
        final = json.loads((staged / "final.json").read_text())
        assert final["resumed_from_epoch"][0] > 0
        ours = torch.load(staged / "model.pt", weights_only=True)
        reference_model = tmp_path / "reference" / "group" / f"seed{run['seed']}" / "model.pt"
        theirs = torch.load(reference_model, weights_only=True)
        for key, value in theirs.items():
            assert torch.equal(value, ours[key]), key
    # Checkpoints go once every seed has its artefacts.
    assert not list((tmp_path / "killed" / "work").rglob("checkpoint.pt"))
