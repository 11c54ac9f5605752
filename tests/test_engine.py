"""The training engine: learning, resume after a kill, divergence, artefacts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
from conftest import write_blobs

from simbias.data.store import DatasetCorruptError, load_split
from simbias.models import build_model
from simbias.train.engine import CHECKPOINT_NAME, TensorData, TrainingDivergedError, fit
from simbias.train.run import train_run
from simbias.train.spec import TrainSpec


def blobs(n: int = 256, seed: int = 0) -> TensorData:
    """Two gaussian blobs in 4-d, separable."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 4, generator=generator) + 2.0 * (2 * y[:, None] - 1)
    return TensorData(x=x.float(), y=y.long())


def mlp(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model("mlp", {"width": 16, "depth": 1}, (4,), 2)


class Interrupt(Exception):
    pass


def test_loss_falls_on_a_separable_problem(tmp_path):
    spec = TrainSpec(epochs=5, lr=0.1, batch_size=32)
    result = fit(mlp(), blobs(), spec, seed=0, run_dir=tmp_path, run_name="blobs")
    losses = [row["train_loss"] for row in result.history]
    assert losses[-1] < 0.5 * losses[0]
    assert result.history[-1]["train_accuracy"] > 0.95
    assert [row["epoch"] for row in result.history] == [1, 2, 3, 4, 5]


def test_full_batch_gd_takes_one_step_per_epoch(tmp_path):
    spec = TrainSpec(epochs=3, lr=0.1, batch_size="full", schedule="constant", momentum=0.0)
    model = mlp()
    before = [p.detach().clone() for p in model.parameters()]
    data = blobs(64)
    fit(model, data, spec, seed=0, run_dir=tmp_path, run_name="gd")
    # Three plain GD steps by hand on a copy give the same weights.
    reference = mlp()
    for p, b in zip(reference.parameters(), before, strict=True):
        assert torch.equal(p, b)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(reference(data.x), data.y).backward()
        optimizer.step()
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("mixup", [0.0, 0.8])  # mixup's lam comes from the run's generator
def test_resume_after_kill_is_bit_identical(tmp_path, mixup):
    spec = TrainSpec(epochs=6, lr=0.05, batch_size=32, weight_decay=5e-4, mixup=mixup)
    data = blobs()

    uninterrupted = mlp()
    fit(uninterrupted, data, spec, seed=3, run_dir=tmp_path / "a", run_name="a")

    def kill_after_epoch_3(epoch, row):
        if epoch == 3:
            raise Interrupt

    interrupted = mlp()
    with pytest.raises(Interrupt):
        fit(
            interrupted,
            data,
            spec,
            seed=3,
            run_dir=tmp_path / "b",
            run_name="b",
            on_epoch_end=kill_after_epoch_3,
        )
    assert (tmp_path / "b" / CHECKPOINT_NAME).exists()

    resumed = mlp(seed=99)  # a fresh process would start from other weights
    result = fit(resumed, data, spec, seed=3, run_dir=tmp_path / "b", run_name="b")
    assert result.resumed_from_epoch == 3
    assert len(result.history) == 6
    for key, value in uninterrupted.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key


def test_nan_loss_stops_with_run_and_epoch(tmp_path):
    data = blobs()
    data.x[5, 0] = float("nan")
    spec = TrainSpec(epochs=3, lr=0.1, batch_size=32)
    with pytest.raises(TrainingDivergedError, match=r"run blobs-nan: .* at epoch 1"):
        fit(mlp(), data, spec, seed=0, run_dir=tmp_path, run_name="blobs-nan")


def test_spec_refuses_bad_values():
    with pytest.raises(ValueError, match="batch_size"):
        TrainSpec.from_dict({"epochs": 1, "lr": 0.1, "batch_size": 0})
    with pytest.raises(ValueError, match="epochz"):
        TrainSpec.from_dict({"epochs": 1, "lr": 0.1, "epochz": 2})


def test_train_run_writes_artefacts_with_provenance(tmp_path):
    data_dir = write_blobs(tmp_path / "data", shift=4.0)
    spec = {
        "name": "blobs/mlp/sgd/seed0",
        "dataset": "blobs",
        "seed": 0,
        "model": {"kind": "mlp", "width": 8, "depth": 1},
        "regime": {"name": "sgd", "train": {"epochs": 2, "lr": 0.3, "batch_size": 20}},
    }
    out = tmp_path / "run"
    final = train_run(spec, data_dir, out)
    expected = ["final.json", "history.csv", "model.pt", "tensorboard"]
    assert sorted(p.name for p in out.iterdir()) == expected
    on_disk = json.loads((out / "final.json").read_text())
    assert on_disk["config"] == spec
    assert len(on_disk["code"]["git_commit"]) in (40, len("unknown"))
    assert final["test_accuracy"] > 0.9
    history = pd.read_csv(out / "history.csv")
    assert list(history["epoch"]) == [1, 2]
    assert {"train_loss", "train_accuracy", "test_accuracy", "lr", "seconds"} <= set(history)
    state = torch.load(out / "model.pt", weights_only=True)
    assert set(state) == {"1.weight", "1.bias", "3.weight", "3.bias"}


def test_corrupted_npz_is_refused(tmp_path):
    data_dir = write_blobs(tmp_path / "data", shift=4.0)
    path = data_dir / "test.npz"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(DatasetCorruptError, match="test.npz is corrupted"):
        load_split(data_dir, "test")
    assert load_split(data_dir, "train").x.shape == (200, 4)


def test_a_checkpoint_from_other_settings_is_not_resumed(tmp_path):
    data = blobs()

    def stop(epoch, row):
        if epoch == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        fit(
            mlp(),
            data,
            TrainSpec(epochs=4, lr=0.05, batch_size=32),
            seed=0,
            run_dir=tmp_path,
            run_name="r",
            on_epoch_end=stop,
        )
    with pytest.warns(UserWarning, match="written by other settings"):
        result = fit(
            mlp(),
            data,
            TrainSpec(epochs=4, lr=0.01, batch_size=32),
            seed=0,
            run_dir=tmp_path,
            run_name="r",
        )
    assert result.resumed_from_epoch == 0


def test_the_same_run_twice_gives_byte_identical_model_files(tmp_path):
    data_dir = write_blobs(tmp_path / "data", shift=4.0)
    spec = {
        "name": "blobs/mlp/sgd/seed0", "dataset": "blobs", "seed": 0,
        "model": {"kind": "mlp", "width": 8, "depth": 1},
        "regime": {"name": "sgd", "train": {"epochs": 2, "lr": 0.3, "batch_size": 20}},
    }  # fmt: skip
    train_run(spec, data_dir, tmp_path / "a")
    train_run(spec, data_dir, tmp_path / "b")
    assert (tmp_path / "a" / "model.pt").read_bytes() == (tmp_path / "b" / "model.pt").read_bytes()
