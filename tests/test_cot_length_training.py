"""Chain-of-thought runs (Wu et al. 2025) train on the question stream through the engine's
stream loop: AdamW with warm-up, cosine floor and clipping, the masked next-token loss, and a
killed run resumes bit-identical."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import kill_stream_run_after_saves

from simbias.data.base import get_generator
from simbias.data.cot_stream import IGNORED, CotStream
from simbias.data.cot_tasks import BEGIN, CotVocab
from simbias.data.store import write_dataset
from simbias.train.optim import build_scheduler
from simbias.train.run import train_run
from simbias.train.spec import TrainSpec

SPEC = {
    "name": "cot/lm/cot_adamw/seed0",
    "dataset": "cot",
    "seed": 0,
    "model": {"kind": "transformer_lm", "size": 1, "n_positions": 128},
    "regime": {
        "name": "cot_adamw",
        "train": {
            "optimizer": "adamw",
            "lr": 0.003,
            "betas": [0.9, 0.98],
            "weight_decay": 0.05,
            "grad_clip": 1.0,
            "warmup_steps": 2,
            "min_lr_ratio": 0.1,
            "schedule": "cosine",
            "batch_size": 8,
            "loss": "next_token",
            "epochs": 4,
            "steps_per_epoch": 3,
        },  # fmt: skip
    },
}


@pytest.fixture
def questions(tmp_path):
    params = {"min_operators": 2, "max_operators": 4, "step_sizes": [1, 2, 3],
              "test_operators": [2, 4], "n_test": 8}  # fmt: skip
    path = tmp_path / "data"
    write_dataset(path, "cot", get_generator("cot_arithmetic", params).generate(0), seed=0)
    return path


def test_the_question_is_never_a_target():
    stream = CotStream(2, 4, (1, 2), ("+",))
    inputs, targets = stream.training_batch(0, 0, 4)
    assert inputs.shape == targets.shape
    begin_id = CotVocab().id(BEGIN)
    for row, target in zip(inputs, targets, strict=True):
        # Target i is token i + 1: up to <BEGIN> nothing counts, the step token after it does.
        begin = int((row == begin_id).nonzero()[0])
        assert (target[:begin] == IGNORED).all() and target[begin] != IGNORED
    # The stream is a pure function of (seed, step).
    assert torch.equal(stream.training_batch(0, 0, 4)[0], inputs)


def test_warm_up_then_cosine_to_the_floor():
    spec = TrainSpec.from_dict({"epochs": 1, "lr": 1.0, "warmup_steps": 4, "min_lr_ratio": 0.1})
    scheduler = build_scheduler(spec, torch.optim.SGD([torch.zeros(1)], lr=1.0), 20)
    factors = [scheduler.lr_lambdas[0](step) for step in range(21)]
    assert factors[:4] == [0.0, 0.25, 0.5, 0.75] and factors[4] == 1.0
    assert factors[20] == pytest.approx(0.1) and min(factors[4:]) >= 0.1 - 1e-12


def test_a_killed_cot_run_resumes_bit_identical(questions, tmp_path, monkeypatch):
    train_run(SPEC, questions, tmp_path / "reference")
    kill_stream_run_after_saves(monkeypatch, saves=2)
    with pytest.raises(KeyboardInterrupt):
        train_run(SPEC, questions, tmp_path / "killed")
    monkeypatch.undo()
    final = train_run(SPEC, questions, tmp_path / "killed")
    assert final["resumed_from_epoch"] == [2]
    ours = torch.load(tmp_path / "killed" / "model.pt", weights_only=True)
    theirs = torch.load(tmp_path / "reference" / "model.pt", weights_only=True)
    for key, value in theirs.items():
        assert torch.equal(value, ours[key]), key
    reference = json.loads((tmp_path / "reference" / "final.json").read_text())
    assert final["test_loss"] == reference["test_loss"] and final["test_loss"] > 0
