"""Stopping on a goal (TrainSpec.loss_goal / accuracy_goal): a run stops at the first epoch
whose whole-training-set, eval-mode measurement meets the goal, never earlier, the same in
``fit`` and per seed in ``fit_seeds``, and a resumed run stops where an uninterrupted one
does."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
from conftest import write_blobs
from test_seed_batch import spec as run_spec
from test_vmap_seeds import (
    SEEDS,
    Killed,
    _without_seconds,
    assert_same_training,
    blobs,
    killed_after,
    mlp,
    sequential,
)
from torch import nn
from torch.nn import functional as F

from simbias.train import engine, vmap_seeds
from simbias.train.engine import CHECKPOINT_NAME, fit
from simbias.train.run import train_run
from simbias.train.seed_batch import train_seed_batch
from simbias.train.seeding import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.stopping import GOAL_ACCURACY, GOAL_LOSS
from simbias.train.vmap_seeds import fit_seeds

DATA = blobs()
GOAL_KEYS = (GOAL_LOSS, GOAL_ACCURACY)


def bn_mlp(seed: int) -> nn.Module:
    """With BatchNorm: eval mode (running statistics) and train mode (batch statistics)
    give other losses, and a forward in train mode would move the running statistics."""
    return nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))


@torch.no_grad()
def oracle(model: nn.Module) -> dict[str, float]:
    """An epoch probe: the whole training set's loss and accuracy in eval mode, measured
    here independently of the engine."""
    model.eval()
    logits = model(DATA.x)
    model.train()
    return {
        "oracle_loss": F.cross_entropy(logits, DATA.y).item(),
        "oracle_accuracy": (logits.argmax(dim=1) == DATA.y).sum().item() / len(DATA.y),
    }


def train_bn(tmp_path, name: str, on_epoch_end=None, model_seed: int = 0, **goals):
    """Seed 0 of the BatchNorm MLP, six epochs, the oracle probing every epoch."""
    seed_everything(model_seed)
    model = bn_mlp(0)
    spec = TrainSpec(epochs=6, lr=0.02, batch_size=32, **goals)
    result = fit(
        model,
        DATA,
        spec,
        0,
        tmp_path / name,
        name,
        epoch_probes=[oracle],
        on_epoch_end=on_epoch_end,
    )
    return model, result


def training_rows(history):
    """What training produced, without the wall time and the goal's own columns."""
    drop = {"seconds", *GOAL_KEYS}
    return [{k: v for k, v in row.items() if k not in drop} for row in history]


def assert_same_state(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert torch.equal(ours[key], value), key


@pytest.fixture
def no_goal(tmp_path):
    """The run without a goal: its history (with the oracle) and its weights after each
    epoch."""
    states = []

    def keep_state(model: nn.Module) -> dict[str, float]:
        states.append({k: v.clone() for k, v in model.state_dict().items()})
        return {}

    seed_everything(0)
    spec = TrainSpec(epochs=6, lr=0.02, batch_size=32)
    probes = [oracle, keep_state]
    result = fit(bn_mlp(0), DATA, spec, 0, tmp_path / "free", "free", epoch_probes=probes)
    assert result.stopped_at_epoch is None and result.stop_reason is None
    assert not set(GOAL_KEYS) & set(result.history[0])
    return result.history, states


def assert_stopped_as_the_free_run_at(result, model, no_goal, k: int) -> None:
    history, states = no_goal
    assert result.stopped_at_epoch == k == len(result.history)
    assert training_rows(result.history) == training_rows(history[:k])
    assert_same_state(model.state_dict(), states[k - 1])
    for row in result.history:
        # The goal's measurement is the oracle's: whole set, eval mode.
        assert row[GOAL_LOSS] == pytest.approx(row["oracle_loss"], rel=1e-6)
        assert row[GOAL_ACCURACY] == row["oracle_accuracy"]


def test_loss_goal_stops_at_the_first_epoch_below_it(tmp_path, no_goal):
    losses = [row["oracle_loss"] for row in no_goal[0]]
    k = 4
    assert losses[k - 1] < min(losses[: k - 1])
    goal = (min(losses[: k - 1]) + losses[k - 1]) / 2
    model, result = train_bn(tmp_path, "goal", loss_goal=goal)
    assert_stopped_as_the_free_run_at(result, model, no_goal, k)
    assert all(row[GOAL_LOSS] >= goal for row in result.history[:-1])
    assert result.history[-1][GOAL_LOSS] < goal
    assert result.stop_reason == f"loss_goal {goal:g} reached"
    # The running mean over the epoch's batches is not what is checked: it is above.
    assert result.history[-1]["train_loss"] > goal


def test_accuracy_goal_stops_at_the_first_epoch_reaching_it(tmp_path, no_goal):
    accuracies = [row["oracle_accuracy"] for row in no_goal[0]]
    k = 3
    assert accuracies[k - 1] > max(accuracies[: k - 1])
    goal = accuracies[k - 1]  # reached exactly: >= stops
    model, result = train_bn(tmp_path, "goal", accuracy_goal=goal)
    assert_stopped_as_the_free_run_at(result, model, no_goal, k)
    assert result.stop_reason == f"accuracy_goal {goal:g} reached"


def test_with_both_goals_the_first_one_met_stops(tmp_path, no_goal):
    accuracies = [row["oracle_accuracy"] for row in no_goal[0]]
    model, result = train_bn(tmp_path, "goal", loss_goal=1e-6, accuracy_goal=accuracies[2])
    assert_stopped_as_the_free_run_at(result, model, no_goal, 3)
    assert result.stop_reason == f"accuracy_goal {accuracies[2]:g} reached"


def test_a_goal_never_reached_trains_every_epoch(tmp_path, no_goal):
    history, states = no_goal
    lowest = min(row["oracle_loss"] for row in history)
    model, result = train_bn(tmp_path, "goal", loss_goal=lowest / 2)
    assert result.stopped_at_epoch is None and result.stop_reason is None
    assert len(result.history) == 6
    assert training_rows(result.history) == training_rows(history)
    assert_same_state(model.state_dict(), states[-1])


@pytest.mark.parametrize("kill_after", [2, 4], ids=["before-the-stop", "at-the-stop"])
def test_a_killed_run_resumes_and_stops_where_an_uninterrupted_one_does(
    tmp_path, no_goal, kill_after
):
    losses = [row["oracle_loss"] for row in no_goal[0]]
    goal = (losses[2] + losses[3]) / 2  # reached at epoch 4
    uninterrupted, expected = train_bn(tmp_path, "a", loss_goal=goal)
    assert expected.stopped_at_epoch == 4

    def kill(epoch, row):
        if epoch == kill_after:  # after the epoch's checkpoint is written
            raise Killed

    with pytest.raises(Killed):
        train_bn(tmp_path, "b", on_epoch_end=kill, loss_goal=goal)
    resumed, result = train_bn(tmp_path, "b", model_seed=99, loss_goal=goal)
    assert result.resumed_from_epoch == kill_after
    assert (result.stopped_at_epoch, result.stop_reason) == (4, expected.stop_reason)
    assert _without_seconds(result.history) == _without_seconds(expected.history)
    assert_same_state(resumed.state_dict(), uninterrupted.state_dict())
    assert torch.load(tmp_path / "b" / CHECKPOINT_NAME, weights_only=False)["epoch"] == 4


def test_a_stopped_run_run_again_trains_no_more(tmp_path, no_goal, monkeypatch):
    losses = [row["oracle_loss"] for row in no_goal[0]]
    goal = (losses[2] + losses[3]) / 2
    first, expected = train_bn(tmp_path, "a", loss_goal=goal)

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(engine, "_save_checkpoint", no_training)
    again, result = train_bn(tmp_path, "a", model_seed=99, loss_goal=goal)
    assert result.resumed_from_epoch == result.stopped_at_epoch == 4
    assert result.history == expected.history
    assert_same_state(again.state_dict(), first.state_dict())


def test_goals_unset_leave_the_checkpoint_identity_as_before(tmp_path):
    """Checkpoints written before the goals (and the loss setting) existed hold no goal
    keys and no loss: they still resume. A goal set is part of the identity: another goal's
    checkpoint is not resumed."""
    spec = TrainSpec(epochs=2, lr=0.02, batch_size=32)
    fit(bn_mlp(0), DATA, spec, 0, tmp_path, "r", stop_after_epoch=1)
    identity = torch.load(tmp_path / CHECKPOINT_NAME, weights_only=False)["identity"]
    # The goals, steps_per_epoch (prompt streams) and the loss, all left at their defaults.
    unset = {*TrainSpec.OPTIONAL_SETTINGS, *TrainSpec.IMPLICIT_DEFAULTS}
    assert {"loss_goal", "accuracy_goal", "loss"} <= unset
    assert not unset & set(identity["spec"])
    assert identity["spec"] == {k: v for k, v in spec.to_dict().items() if k not in unset}
    assert fit(bn_mlp(0), DATA, spec, 0, tmp_path, "r").resumed_from_epoch == 1
    with pytest.warns(UserWarning, match="written by other settings"):
        with_goal = TrainSpec(epochs=2, lr=0.02, batch_size=32, loss_goal=1e-6)
        assert fit(bn_mlp(0), DATA, with_goal, 0, tmp_path, "r").resumed_from_epoch == 0
    assert TrainSpec(loss_goal=0.01).identity()["loss_goal"] == 0.01


@pytest.mark.parametrize(
    "build, lr, goals, stops",
    [
        (mlp, 0.05, {"loss_goal": 0.0135}, [5, None, 6]),
        (bn_mlp, 0.02, {"loss_goal": 0.0972}, [None, 6, 4]),
        (bn_mlp, 0.02, {"accuracy_goal": 1.0}, [4, None, 3]),
    ],
    ids=["mlp-loss", "batchnorm-loss", "batchnorm-accuracy"],
)
def test_each_seed_at_once_stops_on_its_own_goal_as_alone(tmp_path, build, lr, goals, stops):
    spec = TrainSpec(epochs=6, lr=lr, batch_size=32, **goals)
    test = blobs(128, seed=1)
    batched = fit_seeds(build, SEEDS, DATA, spec, eval_sets={"test": test})
    reference = sequential(build, spec, DATA, {"test": test}, tmp_path)
    # The seeds stop at other epochs (or not at all), each as it does alone.
    assert [len(history) for _, history in reference] == [s or 6 for s in stops]
    assert [r.stopped_at_epoch for r in batched] == stops
    assert_same_training(batched, reference)
    for ours, (_, history) in zip(batched, reference, strict=True):
        for row, expected in zip(ours.history, history, strict=True):
            assert row[GOAL_LOSS] == pytest.approx(expected[GOAL_LOSS], rel=1e-5, abs=1e-6)
        goal = next(iter(goals))
        assert ours.stop_reason == (
            f"{goal} {goals[goal]:g} reached" if ours.stopped_at_epoch else None
        )


def test_seeds_at_once_killed_resume_stopped_and_then_train_no_more(tmp_path, monkeypatch):
    spec = TrainSpec(epochs=6, lr=0.05, batch_size=32, loss_goal=0.0135)
    reference = fit_seeds(mlp, SEEDS, DATA, spec)
    assert [r.stopped_at_epoch for r in reference] == [5, None, 6]
    dirs = [tmp_path / str(s) for s in SEEDS]
    killed_after(monkeypatch, 5, lambda: fit_seeds(mlp, SEEDS, DATA, spec, work_dirs=dirs))
    resumed = fit_seeds(mlp, SEEDS, DATA, spec, work_dirs=dirs)
    assert [r.resumed_from_epoch for r in resumed] == [5, 5, 5]

    def no_training(path, state):
        raise AssertionError("trained again")

    monkeypatch.setattr(vmap_seeds, "save_seed_state", no_training)
    again = fit_seeds(mlp, SEEDS, DATA, spec, work_dirs=dirs)
    assert [r.resumed_from_epoch for r in again] == [5, 6, 6]
    for results in (resumed, again):
        for ours, expected in zip(results, reference, strict=True):
            assert (ours.stopped_at_epoch, ours.stop_reason) == (
                expected.stopped_at_epoch,
                expected.stop_reason,
            )
            assert _without_seconds(ours.history) == _without_seconds(expected.history)
            assert_same_state(ours.state_dict, expected.state_dict)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"loss_goal": -0.1}, "loss_goal"),
        ({"loss_goal": 0}, "loss_goal"),
        ({"accuracy_goal": 1.5}, "accuracy_goal"),
        ({"accuracy_goal": 0}, "accuracy_goal"),
    ],
)
def test_bad_goals_are_refused_by_name(values, message):
    with pytest.raises(ValueError, match=f"regime r/train/{message}"):
        TrainSpec.from_dict(values, "regime r/train")
    with pytest.raises(ValueError, match=message):
        TrainSpec(**values)


@pytest.mark.parametrize(
    "vmap, ensemble",
    [(True, False), (False, False), (True, True)],
    ids=["vmap", "alone", "ensemble"],
)
def test_the_run_records_where_each_member_stopped(tmp_path, vmap, ensemble):
    data = write_blobs(tmp_path / "data", dim=6)
    goal = 0.33
    runs = []
    for seed in (0, 1):
        run = run_spec(seed)
        run["regime"]["train"].update(epochs=8, loss_goal=goal)
        if ensemble:
            run["regime"]["ensemble"] = {"members": 2}
        runs.append(run)
    train_seed_batch({"vmap": vmap, "runs": runs}, data, tmp_path / "group", tmp_path / "work")
    assert not list((tmp_path / "work").rglob(CHECKPOINT_NAME))
    for run in runs:
        collected = tmp_path / "group" / f"seed{run['seed']}"
        final = json.loads((collected / "final.json").read_text())
        history = pd.read_csv(collected / "history.csv")
        assert final["epochs"] == 8
        stops = final["stopped_at_epoch"]
        assert final["stop_reason"] == [f"loss_goal {goal:g} reached"] * len(stops)
        members = [history[history["member"] == k] for k in range(len(stops))]
        for stop, rows in zip(stops, members, strict=True):
            assert list(rows["epoch"]) == list(range(1, stop + 1))
            assert (rows[GOAL_LOSS].iloc[:-1] >= goal).all() and rows[GOAL_LOSS].iloc[-1] < goal
        # Final metrics from each member's own last epoch.
        last = [rows["train_loss"].iloc[-1] for rows in members]
        assert final["train_loss"] == pytest.approx(sum(last) / len(last))
        alone = tmp_path / "alone" / f"seed{run['seed']}"
        train_run(run, data, alone)
        assert json.loads((alone / "final.json").read_text())["stopped_at_epoch"] == stops
        pd.testing.assert_frame_equal(
            history.drop(columns="seconds"),
            pd.read_csv(alone / "history.csv").drop(columns="seconds"),
            rtol=1e-4,
        )
        if ensemble:
            assert len(set(stops)) == 2, "the members stop at other epochs"
