"""In-context-regression runs (issue 17): the registered transformer is causal, its query
readout agrees with a full forward pass, and a run on a prompt stream resumes
bit-identically and leaves the artefacts every run leaves."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import kill_stream_run_after_saves

from simbias.data.base import get_generator
from simbias.data.store import write_dataset
from simbias.models import build_model
from simbias.models.transformer import pack_prompts, predict_in_context, predict_queries
from simbias.train.run import train_run


def _model(**params):
    torch.manual_seed(0)
    settings = {"n_layer": 2, "n_head": 2, "n_embd": 16, **params}
    return build_model("transformer", settings, (8, 1), None).eval()


@pytest.mark.parametrize(
    "params",
    [{}, {"pos_embedding": True, "mark_outputs": True}],
    ids=["their tokens", "positions and marked outputs"],
)
def test_a_later_point_cannot_change_an_earlier_prediction(params):
    model = _model(**params)
    gen = torch.Generator().manual_seed(1)
    xs, ys = torch.randn(3, 8, 1, generator=gen), torch.randn(3, 8, generator=gen)
    with torch.no_grad():
        before = model(pack_prompts(xs, ys))
        later_y, later_x = ys.clone(), xs.clone()
        later_y[:, 5] += 2.0  # y_5 is seen from the prediction of y_6 on
        later_x[:, 5] -= 2.0  # x_5 is seen from the prediction of y_5 on
        after_y = model(pack_prompts(xs, later_y))
        after_x = model(pack_prompts(later_x, ys))
    assert before.shape == (3, 8)
    torch.testing.assert_close(after_y[:, :6], before[:, :6], rtol=0, atol=0)
    torch.testing.assert_close(after_x[:, :5], before[:, :5], rtol=0, atol=0)
    assert (after_y[:, 6:] - before[:, 6:]).abs().amax() > 1e-4
    assert (after_x[:, 5:] - before[:, 5:]).abs().amax() > 1e-4


@pytest.mark.parametrize("context", [0, 1, 5])
def test_the_cached_query_readout_is_the_prediction_after_the_context(context):
    model = _model(pos_embedding=True, mark_outputs=True)
    gen = torch.Generator().manual_seed(2)
    xs, ys = torch.randn(2, context, 1, generator=gen), torch.randn(2, context, generator=gen)
    queries = torch.randn(2, 7, 1, generator=gen)
    fast = predict_queries(model, xs, ys, queries)
    for q in range(7):
        prompt_x = torch.cat([xs, queries[:, q : q + 1]], dim=1)
        prompt_y = torch.cat([ys, torch.zeros(2, 1)], dim=1)
        with torch.no_grad():
            full = predict_in_context(model, prompt_x, prompt_y)[:, -1]
        torch.testing.assert_close(fast[:, q], full, rtol=1e-5, atol=1e-6)


SPEC = {
    "name": "mix/gpt2/icl_adam/seed0",
    "dataset": "mix",
    "seed": 0,
    "model": {
        "kind": "transformer",
        "n_layer": 1,
        "n_head": 2,
        "n_embd": 16,
        "pos_embedding": True,
        "mark_outputs": True,
    },  # fmt: skip
    "regime": {
        "name": "icl_adam",
        "train": {
            "optimizer": "adam",
            "lr": 0.003,
            "batch_size": 8,
            "schedule": "constant",
            "loss": "regression_mse",
            "epochs": 4,
            "steps_per_epoch": 3,
        },  # fmt: skip
    },
}


@pytest.fixture
def prompts(tmp_path):
    params = {"task": "fourier_series_mixture", "points": 6, "max_frequency": 2, "n_test": 32}
    path = tmp_path / "data"
    write_dataset(path, "mix", get_generator("icl_regression", params).generate(0), seed=0)
    return path


def test_a_stream_run_leaves_the_artefacts_of_every_run(prompts, tmp_path):
    final = train_run(SPEC, prompts, tmp_path / "run")
    assert final["config"] == SPEC and final["code"]["git_commit"]
    assert final["steps"] == 12 and final["train_settings"]["steps_per_epoch"] == 3
    assert final["resumed_from_epoch"] == [0] and final["test_loss"] > 0
    history = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,lr,train_loss,test_loss,seconds")
    assert len(history) == 1 + 4
    assert not list((tmp_path / "run").rglob("checkpoint.pt"))


def test_a_killed_stream_run_resumes_bit_identical(prompts, tmp_path, monkeypatch):
    train_run(SPEC, prompts, tmp_path / "reference")
    kill_stream_run_after_saves(monkeypatch, saves=2)
    with pytest.raises(KeyboardInterrupt):
        train_run(SPEC, prompts, tmp_path / "killed")
    assert (tmp_path / "killed" / "checkpoint.pt").exists()
    monkeypatch.undo()
    final = train_run(SPEC, prompts, tmp_path / "killed")
    assert final["resumed_from_epoch"] == [2]
    ours = torch.load(tmp_path / "killed" / "model.pt", weights_only=True)
    theirs = torch.load(tmp_path / "reference" / "model.pt", weights_only=True)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert torch.equal(value, ours[key]), key
    reference = json.loads((tmp_path / "reference" / "final.json").read_text())
    assert final["train_loss"] == reference["train_loss"]
    assert final["test_loss"] == reference["test_loss"]


def test_pieces_that_need_a_stored_training_set_are_refused(prompts, tmp_path):
    spec = {**SPEC, "regime": {**SPEC["regime"], "ensemble": {"members": 2}}}
    with pytest.raises(ValueError, match="ensemble cannot train on a prompt stream"):
        train_run(spec, prompts, tmp_path / "run")
