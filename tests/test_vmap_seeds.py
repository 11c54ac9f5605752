"""Seeds trained together with torch.func equal the same seeds trained one by one with fit."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.run import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds

SEEDS = [0, 1, 2]
# Batched and plain matmuls sum in different orders; float32 rounding over a few
# dozen SGD steps stays far below these.
TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


def blobs(n: int = 256, dim: int = 10, seed: int = 0) -> TensorData:
    """Two gaussian blobs, overlapping a little so that the loss keeps moving."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, dim, generator=generator) + 0.7 * (2 * y[:, None] - 1)
    return TensorData(x=x.float(), y=y.long())


def mlp(seed: int) -> nn.Module:
    return build_model("mlp", {"width": 16, "depth": 2}, (10,), 2)


def linear(seed: int) -> nn.Module:
    return build_model("mlp", {"width": 16, "depth": 0}, (10,), 2)


class TanhNet(nn.Module):
    """Not a plain Sequential: goes through the vmap(functional_call) path."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(10, 16)
        self.out = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(self.hidden(x)))


def sequential(build, spec, data, eval_sets, tmp_path, **pieces):
    """The reference: one fit per seed, as train_run does it (``pieces``: update,
    transform)."""
    results = []
    for s in SEEDS:
        seed_everything(s)
        model = build(s)
        result = fit(model, data, spec, s, tmp_path / str(s), str(s), eval_sets=eval_sets, **pieces)
        results.append((model.state_dict(), result.history))
    return results


def assert_same_training(batched, reference):
    assert [r.seed for r in batched] == SEEDS
    for ours, (state, history) in zip(batched, reference, strict=True):
        assert ours.state_dict.keys() == state.keys()
        for key in state:
            torch.testing.assert_close(ours.state_dict[key], state[key], **TOLERANCE)
        assert len(ours.history) == len(history)
        for row, expected in zip(ours.history, history, strict=True):
            assert list(row) == list(expected)
            assert row["epoch"] == expected["epoch"]
            assert row["lr"] == pytest.approx(expected["lr"], rel=1e-12)
            assert row["train_loss"] == pytest.approx(expected["train_loss"], rel=1e-5, abs=1e-6)
            for key in row:
                if key.endswith("_accuracy"):
                    assert row[key] == pytest.approx(expected[key], abs=1.5 / 256), key


@pytest.mark.parametrize(
    "build, batch_size",
    [(mlp, 32), (mlp, "full"), (linear, 32), (lambda s: TanhNet(), 32)],
    ids=["mlp-sgd", "mlp-full-batch", "linear", "vmap-path"],
)
def test_batched_seeds_equal_sequential_fit(tmp_path, build, batch_size):
    spec = TrainSpec(
        epochs=4, lr=0.1, batch_size=batch_size, momentum=0.9, weight_decay=5e-4, nesterov=True
    )
    data, test = blobs(), blobs(128, seed=1)
    batched = fit_seeds(build, SEEDS, data, spec, eval_sets={"test": test})
    reference = sequential(build, spec, data, {"test": test}, tmp_path)
    assert_same_training(batched, reference)
    assert batched[0].history[-1]["train_loss"] < batched[0].history[0]["train_loss"]


def test_state_dict_loads_into_the_seed_model():
    spec = TrainSpec(epochs=1, lr=0.1, batch_size=64, schedule="constant")
    results = fit_seeds(mlp, [5], blobs(), spec)
    model = mlp(5)
    model.load_state_dict(results[0].state_dict)


def test_different_seeds_give_different_weights():
    spec = TrainSpec(epochs=2, lr=0.1, batch_size=32)
    first, second = fit_seeds(mlp, [0, 1], blobs(), spec)
    assert not torch.allclose(first.state_dict["1.weight"], second.state_dict["1.weight"])


def test_dropout_is_refused():
    spec = TrainSpec(epochs=1, lr=0.1, batch_size=32)

    def with_dropout(seed):
        return nn.Sequential(nn.Linear(10, 8), nn.Dropout(0.5), nn.Linear(8, 2))

    with pytest.raises(ValueError, match="Dropout"):
        fit_seeds(with_dropout, [0, 1], blobs(), spec)


def nan_for_seed_3(seed: int) -> nn.Module:
    model = mlp(seed)
    if seed == 3:
        with torch.no_grad():
            model[1].weight[0, 0] = float("nan")
    return model


def test_a_diverged_seed_stops_alone_with_its_name_and_epoch(tmp_path):
    spec = TrainSpec(epochs=3, lr=0.1, batch_size=32)
    dirs = [tmp_path / str(s) for s in (2, 3, 4)]
    results = fit_seeds(nan_for_seed_3, [2, 3, 4], blobs(), spec, work_dirs=dirs)
    diverged = results[1]
    assert diverged.state_dict is None
    assert re.fullmatch(r"seed 3: training loss became nan at epoch 1 .*", diverged.error)
    # The others trained to the end, as they would have alone.
    alone = fit_seeds(nan_for_seed_3, [2, 4], blobs(), spec)
    for ours, reference in zip([results[0], results[2]], alone, strict=True):
        assert ours.error is None and len(ours.history) == 3
        for key, value in reference.state_dict.items():
            torch.testing.assert_close(ours.state_dict[key], value, **TOLERANCE)
    # Their checkpoints stand at the last epoch; the diverged seed left none.
    epochs = [torch.load(d / "checkpoint.pt", weights_only=False)["epoch"] for d in dirs[::2]]
    assert epochs == [3, 3]
    assert not (dirs[1] / "checkpoint.pt").exists()


def _without_seconds(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


class Killed(Exception):
    pass


def killed_after(monkeypatch, epochs: int, train) -> None:
    """Run ``train()`` with every seed checkpoint past epoch ``epochs`` refused (the job
    dies there, its earlier checkpoints on disk), then put checkpointing back."""
    from simbias.train import vmap_seeds

    save = vmap_seeds.save_seed_state

    def dying(path, state):
        if state["epoch"] > epochs:
            raise Killed
        save(path, state)

    monkeypatch.setattr(vmap_seeds, "save_seed_state", dying)
    with pytest.raises(Killed):
        train()
    monkeypatch.setattr(vmap_seeds, "save_seed_state", save)


def test_seeds_resume_each_from_its_own_checkpoint(tmp_path, monkeypatch):
    """Seeds whose checkpoints stand at different epochs (one finished, one killed after
    its second epoch, one never started) end bit-identical to an uninterrupted batch."""

    spec = TrainSpec(epochs=4, lr=0.1, batch_size=32, momentum=0.9)
    reference = fit_seeds(mlp, SEEDS, blobs(), spec)
    dirs = [tmp_path / str(s) for s in SEEDS]
    fit_seeds(mlp, SEEDS[:1], blobs(), spec, work_dirs=dirs[:1])
    killed_after(
        monkeypatch, 2, lambda: fit_seeds(mlp, SEEDS[1:2], blobs(), spec, work_dirs=dirs[1:2])
    )
    resumed = fit_seeds(mlp, SEEDS, blobs(), spec, work_dirs=dirs)
    assert [r.resumed_from_epoch for r in resumed] == [4, 2, 0]
    for ours, expected in zip(resumed, reference, strict=True):
        assert _without_seconds(ours.history) == _without_seconds(expected.history)
        for key, value in expected.state_dict.items():
            torch.testing.assert_close(ours.state_dict[key], value, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["seeds_mlp_sgd", "seeds_cnn_pgd"])
def test_bench_quick_run_writes_json_and_table(tmp_path, name):
    import json

    from simbias.bench.runner import run_benchmarks

    summary = run_benchmarks([name], tmp_path, quick=True, threads=[1])
    result = json.loads((tmp_path / f"{name}.json").read_text())["results"][0]
    assert result["sequential_s"] > 0 and result["batched_s"] > 0
    assert result["ratio"] == pytest.approx(result["sequential_s"] / result["batched_s"], rel=1e-6)
    # The naive torch.func loop is the second reference under plain SGD only.
    assert ("naive_ratio" in result) == name.endswith("_sgd")
    assert "| n seeds |" in summary and (tmp_path / "summary.md").exists()


def test_checkpoints_follow_a_cadence_and_always_keep_the_last_epoch():
    from simbias.train.engine import MAX_CHECKPOINTS, checkpoint_due

    assert all(checkpoint_due(e, MAX_CHECKPOINTS) for e in range(1, MAX_CHECKPOINTS + 1))
    due = [e for e in range(1, 3001) if checkpoint_due(e, 3000)]
    assert len(due) == MAX_CHECKPOINTS and due[0] == 60 and due[-1] == 3000
    # Not a multiple of the cadence (every 3rd of 121): the last epoch is still written.
    assert checkpoint_due(121, 121) and checkpoint_due(120, 121) and not checkpoint_due(119, 121)


def test_a_long_run_resumes_bit_identically_from_its_last_cadence_checkpoint(tmp_path, monkeypatch):
    """120 epochs are checkpointed every 3rd: killed after epoch 100, the batch resumes
    from epoch 99 and ends as an uninterrupted one."""
    spec = TrainSpec(epochs=120, lr=0.05, batch_size="full", momentum=0.0, schedule="constant")
    reference = fit_seeds(mlp, SEEDS, blobs(), spec)
    dirs = [tmp_path / str(s) for s in SEEDS]
    killed_after(monkeypatch, 100, lambda: fit_seeds(mlp, SEEDS, blobs(), spec, work_dirs=dirs))
    resumed = fit_seeds(mlp, SEEDS, blobs(), spec, work_dirs=dirs)
    assert [r.resumed_from_epoch for r in resumed] == [99] * len(SEEDS)
    for ours, expected in zip(resumed, reference, strict=True):
        assert _without_seconds(ours.history) == _without_seconds(expected.history)
        for key, value in expected.state_dict.items():
            torch.testing.assert_close(ours.state_dict[key], value, rtol=0, atol=0)
