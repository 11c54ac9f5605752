"""Seeds trained at once in a vmapped batch end in run directories with the same weights as
seeds trained one process each."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
import torch
from conftest import write_blobs

from simbias.plan import ConfigError, Plan, load_config, validate
from simbias.plan.runs import unbatchable_because
from simbias.train.engine import TrainingDivergedError
from simbias.train.run import train_run
from simbias.train.seed_batch import train_seed_batch


def spec(seed: int) -> dict:
    return {
        "name": f"blobs/mlp/sgd/seed{seed}", "dataset": "blobs", "seed": seed,
        "model": {"kind": "mlp", "width": 16, "depth": 1},
        "regime": {"name": "sgd", "train": {"epochs": 3, "lr": 0.05, "batch_size": 32}},
        "probes": [],
    }  # fmt: skip


@pytest.fixture
def blobs(tmp_path):
    return write_blobs(tmp_path / "data", dim=6)


@pytest.mark.parametrize(
    "vmap, ensemble",
    [(True, False), (False, False), (True, True)],
    ids=["vmap", "alone", "ensemble"],
)
def test_seeds_trained_in_a_batch_equal_seeds_trained_alone(blobs, tmp_path, vmap, ensemble):
    specs = [spec(0), spec(1), spec(2)]
    if ensemble:
        for run in specs:
            run["regime"]["ensemble"] = {"members": 2}
    train_seed_batch({"vmap": vmap, "runs": specs}, blobs, tmp_path / "group", tmp_path / "work")
    for run in specs:
        collected = tmp_path / "group" / f"seed{run['seed']}"
        alone = tmp_path / "alone" / f"seed{run['seed']}"
        train_run(run, blobs, alone)
        assert json.loads((collected / "final.json").read_text())["config"] == run
        history = pd.read_csv(collected / "history.csv")
        pd.testing.assert_frame_equal(
            history.drop(columns="seconds"),
            pd.read_csv(alone / "history.csv").drop(columns="seconds"),
            rtol=1e-4,
        )
        ours = torch.load(collected / "model.pt", weights_only=True)
        theirs = torch.load(alone / "model.pt", weights_only=True)
        for key, value in theirs.items():
            torch.testing.assert_close(ours[key], value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("vmap", [True, False], ids=["vmap", "alone"])
def test_a_finished_batch_moves_its_curves_beside_the_runs_and_deletes_its_work(
    blobs, tmp_path, vmap
):
    work = tmp_path / "results" / "work"
    train_seed_batch({"vmap": vmap, "runs": [spec(0), spec(1)]}, blobs, tmp_path / "group", work)
    for seed in (0, 1):
        events = list((tmp_path / "group" / f"seed{seed}" / "tensorboard").rglob("events.*"))
        assert events, f"seed{seed} has no TensorBoard events in its run directory"
    assert not work.exists(), sorted(work.rglob("*"))


def test_the_plan_trains_seeds_at_once_unless_a_piece_cannot_and_says_why(repo):
    assert unbatchable_because(spec(0)) == ""
    sam = copy.deepcopy(spec(0))
    sam["regime"]["sam"] = {"rho": 0.05}
    assert unbatchable_because(sam) == ""
    useful = copy.deepcopy(spec(0))
    useful["regime"]["useful"] = {"separating_epoch": 1}
    assert unbatchable_because(useful).startswith("useful: each seed's upsampled training set")
    cnn = copy.deepcopy(spec(0))
    cnn["model"] = {"kind": "cnn"}
    assert unbatchable_because(cnn).startswith("cnn: trained at once it measured")
    two_layer = copy.deepcopy(spec(0))
    two_layer["model"] = {"kind": "two_layer_cnn"}
    ensemble = copy.deepcopy(spec(0))
    ensemble["regime"]["ensemble"] = {"members": 3}
    assert unbatchable_because(two_layer) == unbatchable_because(ensemble) == ""
    bf16 = copy.deepcopy(spec(0))
    bf16["regime"]["train"]["precision"] = "bf16"
    assert "bf16" in unbatchable_because(bf16)
    mixup = copy.deepcopy(spec(0))
    mixup["regime"]["train"]["mixup"] = 0.8  # fit_seeds has no mixed batch (yet)
    assert "mixup" in unbatchable_because(mixup)
    config = load_config()
    batches = Plan.build(config).groups
    for regime in ("sgd", "gd", "sam", "adv_pgd", "adv_fgsm", "adv+sam"):
        assert batches[f"lms5/mlp/{regime}"]["vmap"], regime
    assert batches["lms5/mlp/useful"]["why"].startswith("useful: ")
    assert batches["lms5/mlp/ensemble"]["vmap"]
    assert batches["opposing/mlp_wide/gd@dynamics"]["vmap"]
    assert [s["seed"] for s in batches["lms5/mlp/sgd"]["runs"]] == [0, 1, 2, 3, 4]
    # Every experiment of the default scale has at least five seeds.
    assert min(len(group["runs"]) for group in batches.values()) >= 5
    # The config decides nothing: the old flag is refused as an unknown key.
    broken = copy.deepcopy(config)
    broken["experiments"]["regimes_lms5"]["vmap_seeds"] = True
    with pytest.raises(ConfigError, match="vmap_seeds"):
        validate(broken)


def test_a_killed_sequential_batch_resumes_from_the_run_directories(blobs, tmp_path):
    """Checkpoints live in the run directory, which Snakemake keeps when it clears the batch
    directory of a failed job; the next attempt resumes there."""
    from simbias.train import engine

    run = spec(0)
    run["regime"]["train"]["epochs"] = 4
    calls = {"n": 0}
    original = engine._save_checkpoint

    def save_then_die(*args, **kwargs):
        original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    engine._save_checkpoint = save_then_die
    try:
        with pytest.raises(KeyboardInterrupt):
            train_seed_batch({"vmap": False, "runs": [run]}, blobs, tmp_path / "b1", tmp_path)
    finally:
        engine._save_checkpoint = original
    assert (tmp_path / run["name"] / "checkpoint.pt").exists()
    train_seed_batch({"vmap": False, "runs": [run]}, blobs, tmp_path / "b2", tmp_path)
    final = json.loads((tmp_path / "b2" / "seed0" / "final.json").read_text())
    assert final["resumed_from_epoch"] == [2]
    assert not (tmp_path / run["name"] / "checkpoint.pt").exists()


def test_a_diverged_seed_fails_the_job_by_name_and_keeps_the_others(blobs, tmp_path, monkeypatch):
    from simbias.train import seed_batch

    build = seed_batch.build_model

    def nan_for_seed_1(*args):
        model = build(*args)
        if torch.initial_seed() == 1:  # seed_everything(1) came just before
            with torch.no_grad():
                next(model.parameters()).fill_(float("nan"))
        return model

    monkeypatch.setattr(seed_batch, "build_model", nan_for_seed_1)
    specs = [spec(0), spec(1), spec(2)]
    with pytest.raises(
        TrainingDivergedError, match=r"^seed 1: training loss became nan at epoch 1"
    ):
        train_seed_batch(
            {"vmap": True, "runs": specs}, blobs, tmp_path / "batch", tmp_path / "work"
        )
    for s in (0, 2):
        assert (tmp_path / "batch" / f"seed{s}" / "final.json").exists()
        checkpoint = tmp_path / "work" / specs[s]["name"] / "checkpoint.pt"
        assert torch.load(checkpoint, weights_only=False)["epoch"] == 3
    assert not (tmp_path / "batch" / "seed1").exists()
    assert not (tmp_path / "work" / specs[1]["name"] / "checkpoint.pt").exists()
