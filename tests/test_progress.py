"""A run shows itself while it trains: a line per epoch, history.csv growing every epoch
(rewritten to the checkpoint's rows on resume), TensorBoard scalars per epoch."""

from __future__ import annotations

import pandas as pd
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from simbias.train.engine import TensorData, fit
from simbias.train.progress import RunProgress, epoch_line, seed_names
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds


def _data(n: int = 64) -> TensorData:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=generator)
    return TensorData(x=x, y=(x[:, 0] > 0).long())


def _model(seed: int = 0) -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def _rows(path) -> int:
    return len(pd.read_csv(path)) if path.exists() else 0


def test_history_grows_by_one_row_each_epoch_and_tensorboard_holds_every_epoch(tmp_path, capsys):
    spec = TrainSpec(epochs=4, lr=0.1, batch_size=16)
    progress = RunProgress("toy/mlp/sgd/seed0", 4, tmp_path / "history.csv", tmp_path / "tb")
    seen = []
    fit(
        _model(),
        _data(),
        spec,
        0,
        tmp_path,
        "toy",
        eval_sets={"test": _data(32)},
        on_epoch_end=lambda epoch, row: seen.append((epoch, _rows(tmp_path / "history.csv"))),
        progress=progress,
    )
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    history = pd.read_csv(tmp_path / "history.csv")
    assert list(history["epoch"]) == [1, 2, 3, 4]
    assert {"train_loss", "train_accuracy", "test_accuracy", "seconds"} <= set(history)
    lines = [line for line in capsys.readouterr().out.splitlines() if "epoch " in line]
    assert [line.split("  ")[1] for line in lines] == [f"epoch {e}/4" for e in (1, 2, 3, 4)]
    assert all("loss " in line and "test_acc " in line and "s/epoch" in line for line in lines)
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    losses = events.Scalars("train_loss")
    assert [event.step for event in losses] == [1, 2, 3, 4]
    assert [event.value for event in losses] == list(history["train_loss"].astype("float32"))


def test_a_resumed_run_rewrites_history_to_its_checkpoint_rows(tmp_path):
    path = tmp_path / "history.csv"
    lost = [{"epoch": e, "train_loss": 1.0 / e, "seconds": 0.1} for e in range(1, 6)]
    pd.DataFrame(lost).to_csv(path, index=False)  # a killed attempt got to epoch 5
    progress = RunProgress("run", 8, path, None, prints=False)
    progress.start(lost[:3])  # its checkpoint held 3 epochs
    assert list(pd.read_csv(path)["epoch"]) == [1, 2, 3]
    progress.log({"epoch": 4, "train_loss": 0.2, "seconds": 0.1})
    assert list(pd.read_csv(path)["epoch"]) == [1, 2, 3, 4]
    RunProgress("run", 8, path, None, prints=False).start([])  # from scratch: no stale rows
    assert not path.exists()


def test_seeds_trained_at_once_print_one_line_per_epoch_and_keep_a_history_each(tmp_path, capsys):
    spec = TrainSpec(epochs=3, lr=0.1, batch_size=16)
    names = [f"toy/mlp/sgd/seed{s}" for s in (0, 1)]
    progress = [
        RunProgress(name, 3, tmp_path / name / "history.csv", None, prints=False) for name in names
    ]
    fit_seeds(_model, [0, 1], _data(), spec, eval_sets={"test": _data(32)}, progress=progress)
    lines = [line for line in capsys.readouterr().out.splitlines() if "epoch " in line]
    assert len(lines) == 3 and all(line.startswith("toy/mlp/sgd/seed{0,1}") for line in lines)
    for name in names:
        assert list(pd.read_csv(tmp_path / name / "history.csv")["epoch"]) == [1, 2, 3]


def test_the_line_shows_means_and_ranges_over_seeds():
    rows = [
        {"epoch": 2, "train_loss": 0.5, "train_accuracy": 0.8, "seconds": 0.25},
        {"epoch": 2, "train_loss": 0.3, "train_accuracy": 0.9, "seconds": 0.25},
    ]
    line = epoch_line("g/seed{0,1}", rows, 10)
    assert line == (
        "g/seed{0,1}  epoch 2/10  loss 0.4000 [0.3000, 0.5000]"
        "  train_acc 0.850 [0.800, 0.900]  0.25 s/epoch"
    )
    assert seed_names(["a/b/c/seed0", "a/b/c/seed3"]) == "a/b/c/seed{0,3}"
    assert seed_names(["a/b/c/seed0"]) == "a/b/c/seed0"
