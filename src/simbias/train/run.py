"""Train one run (dataset x model x regime x seed) and write its artefacts.

Artefacts in ``out_dir``: ``model.pt`` (state_dict), ``history.csv`` (per epoch),
``final.json`` (final metrics, the run's resolved config, the code version).
Checkpoints exist only while the run is unfinished. Run-level regime pieces live here:
USEFUL trains twice (probe, then on the upsampled data) and an ensemble trains members.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from simbias.data.store import load_split, read_card
from simbias.io import save_npz_atomic, save_torch_atomic, write_json_atomic, write_text_atomic
from simbias.models import build_model
from simbias.models.ensemble import LogitEnsemble
from simbias.plan.layout import LIVE_HISTORY_NAME
from simbias.provenance import code_version
from simbias.train.engine import TensorData, fit, predict_logits
from simbias.train.losses import is_regression, mean_loss
from simbias.train.progress import TENSORBOARD_NAME, RunProgress
from simbias.train.recorders import build_probes
from simbias.train.recorders.dynamics import DynamicsRecorder, DynamicsSettings
from simbias.train.regime import Regime
from simbias.train.seeding import seed_everything
from simbias.train.useful import plan_upsampling


def member_seed(seed: int, member: int) -> int:
    """Independent seeds for ensemble members, distinct from every plain run's seed."""
    return int(np.random.SeedSequence([seed, member]).generate_state(1)[0] % (2**31))


def load_tensors(data_dir: str | Path, split: str, device: torch.device | str) -> TensorData:
    split_data = load_split(data_dir, split)
    return TensorData(
        x=torch.from_numpy(split_data.x).to(device), y=torch.from_numpy(split_data.y).to(device)
    )


def run_progress(
    run_spec: dict[str, Any],
    epochs: int,
    work_dir: Path,
    run_dir: Path,
    member: int | None = None,
    prints: bool = True,
) -> RunProgress:
    """How a run (or an ensemble's ``member``) shows its epochs while it trains: its
    history in ``work_dir`` (where its checkpoint is), its TensorBoard scalars under
    ``run_dir/tensorboard`` (members in ``member{k}``; the run's work directory, whose
    events ``finish_work_dir`` moves into the run directory)."""
    name = run_spec["name"] + ("" if member is None else f" member {member}")
    board = run_dir / TENSORBOARD_NAME / ("" if member is None else f"member{member}")
    return RunProgress(name, epochs, work_dir / LIVE_HISTORY_NAME, board, prints)


def build_run_model(run_spec: dict[str, Any], card: dict[str, Any]) -> nn.Module:
    """The architecture of a run: one network, or an ensemble of them."""
    model_cfg = dict(run_spec["model"])
    kind = model_cfg.pop("kind")
    ensemble = Regime.from_dict(run_spec["regime"]).ensemble
    count = ensemble.members if ensemble else 1
    members = [
        build_model(kind, model_cfg, card["input_shape"], card["n_classes"]) for _ in range(count)
    ]
    return LogitEnsemble(members) if ensemble else members[0]


def _train_member(
    run_spec: dict[str, Any],
    regime: Regime,
    card: dict[str, Any],
    train: TensorData,
    eval_sets: dict[str, TensorData],
    seed: int,
    work_dir: Path,
    out_dir: Path,
    progress: RunProgress,
) -> tuple[nn.Module, list[dict], dict[str, Any]]:
    def fresh_model() -> nn.Module:
        seed_everything(seed)
        model_cfg = dict(run_spec["model"])
        kind = model_cfg.pop("kind")
        return build_model(kind, model_cfg, card["input_shape"], card["n_classes"]).to(
            train.x.device
        )

    pieces = {"update": regime.update, "transform": regime.transform}
    probes = build_probes(run_spec.get("probes", []), card)
    info: dict[str, Any] = {}
    if regime.useful is not None:
        # Phase 1: train to the separating epoch on the full-length schedule, then cluster.
        # The separating epoch is a count of epochs: the run's goal stops phase 2 only.
        probe = fresh_model()
        probe_dir = work_dir / "useful_probe"
        fit(
            probe,
            train,
            dataclasses.replace(regime.train, loss_goal=None, accuracy_goal=None),
            seed,
            probe_dir,
            f"{run_spec['name']} (probe)",
            fingerprint=run_spec,
            stop_after_epoch=regime.useful.separating_epoch,
            progress=RunProgress(
                f"{run_spec['name']} (probe)",
                regime.useful.separating_epoch,
                probe_dir / LIVE_HISTORY_NAME,
            ),
            **pieces,
        )
        plan = plan_upsampling(
            probe,
            train,
            regime.useful.upsample_factor,
            seed,
            selection=regime.useful.selection,
        )
        info["useful"] = plan.summary
        save_npz_atomic(out_dir / "useful_clusters.npz", slow=plan.slow, upsampled=plan.upsampled)
        train = TensorData(train.x[plan.indices], train.y[plan.indices])
    model = fresh_model()
    recorder = None
    if run_spec.get("dynamics"):
        settings = DynamicsSettings.from_dict(run_spec["dynamics"], "dynamics")
        recorder = DynamicsRecorder(settings, train.x, train.y, seed, regime.train.loss)
    result = fit(
        model,
        train,
        regime.train,
        seed,
        work_dir,
        run_spec["name"],
        eval_sets=eval_sets,
        fingerprint=run_spec,
        epoch_probes=probes,
        step_hook=recorder,
        progress=progress,
        **pieces,
    )
    if recorder is not None:
        recorder.save(out_dir)
    info["resumed_from_epoch"] = result.resumed_from_epoch
    info["result"] = result
    return model, result.history, info


def check_recordable(run_spec: dict[str, Any], regime: Regime) -> None:
    """Dynamics are recorded for one network, not for an ensemble's members."""
    if regime.ensemble and run_spec.get("dynamics"):
        raise ValueError(f"run {run_spec['name']}: dynamics are not recorded for ensembles")


def train_run(
    run_spec: dict[str, Any],
    data_dir: str | Path,
    out_dir: str | Path,
    device: str = "cpu",
    work_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Train the run described by ``run_spec`` (see ``simbias.config.run_specs``) into
    ``out_dir``. Checkpoints go to ``work_dir`` (default ``out_dir``), which outlives a
    killed job, so that the next attempt resumes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(work_dir) if work_dir is not None else out_dir
    seed = int(run_spec["seed"])
    card = read_card(data_dir)
    if card.get("stream") is not None:  # in-context regression: fresh prompts every step
        from simbias.train.stream_run import train_stream_run  # it builds on this module

        return train_stream_run(run_spec, card, data_dir, out_dir, device, work_dir)
    regime = Regime.from_dict(run_spec["regime"], input_range=card.get("input_range"))
    if regime.policy_gradient is not None:
        raise ValueError(f"run {run_spec['name']}: policy_gradient needs a chain-of-thought stream")
    check_recordable(run_spec, regime)
    train = load_tensors(data_dir, "train", device)
    test = load_tensors(data_dir, "test", device)

    count = regime.ensemble.members if regime.ensemble else 1
    members, histories, infos = [], [], []
    for k in range(count):
        member_dir = work_dir / f"member{k}" if regime.ensemble else work_dir
        model, history, info = _train_member(
            run_spec,
            regime,
            card,
            train,
            {"test": test},
            member_seed(seed, k) if regime.ensemble else seed,
            member_dir,
            out_dir,
            run_progress(
                run_spec,
                regime.train.epochs,
                member_dir,
                work_dir,
                k if regime.ensemble else None,
            ),
        )
        members.append(model)
        histories.append(pd.DataFrame(history).assign(member=k))
        infos.append(info)
    model = LogitEnsemble(members) if regime.ensemble else members[0]
    history = pd.concat(histories, ignore_index=True)

    extra: dict[str, Any] = {
        "members": count,
        "resumed_from_epoch": [info["resumed_from_epoch"] for info in infos],
        **stop_facts([info["result"] for info in infos]),
    }
    if regime.useful is not None:
        extra["useful"] = [info["useful"] for info in infos]
    final = write_run_artefacts(out_dir, run_spec, regime, card, model, history, test, extra)
    finish_work_dir(work_dir, out_dir)
    return final


def stop_facts(results: list[Any]) -> dict[str, list]:
    """For final.json, one entry per member (its ``FitResult`` or ``SeedResult``): the
    epoch after which it stopped on its goal (train settings ``loss_goal`` /
    ``accuracy_goal``) and why, or None where it trained all its epochs."""
    return {
        "stopped_at_epoch": [result.stopped_at_epoch for result in results],
        "stop_reason": [result.stop_reason for result in results],
    }


def write_run_artefacts(
    out_dir: Path,
    run_spec: dict[str, Any],
    regime: Regime,
    card: dict[str, Any],
    model: nn.Module,
    history: pd.DataFrame,
    test: TensorData,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """``model.pt``, ``history.csv`` and ``final.json`` (written last: its presence means
    the run is complete)."""
    test_logits = predict_logits(model, test.x, regime.train.eval_batch_size)
    # Each member's last epoch (members that stopped on their goal end at their own).
    last_epoch = history.groupby("member", sort=False).tail(1)
    metrics = {"train_loss": float(last_epoch["train_loss"].mean())}
    if is_regression(regime.train.loss):  # real-valued targets: losses, no accuracy
        metrics["test_loss"] = float(mean_loss(regime.train.loss)(test_logits, test.y))
    else:
        metrics["train_accuracy"] = float(last_epoch["train_accuracy"].mean())
        metrics["test_accuracy"] = float((test_logits.argmax(1) == test.y).float().mean())
    return save_run_artefacts(out_dir, run_spec, regime, card, model, history,
                              {**extra, **metrics})  # fmt: skip


def save_run_artefacts(
    out_dir: Path,
    run_spec: dict[str, Any],
    regime: Regime,
    card: dict[str, Any],
    model: nn.Module,
    history: pd.DataFrame,
    measured: dict[str, Any],
) -> dict[str, Any]:
    """``model.pt``, ``history.csv`` and ``final.json`` of any run: ``measured`` (its final
    metrics and facts) beside what makes a number traceable (the resolved config, the
    training settings, the dataset's card, the code version). final.json comes last."""
    final = {
        "run": run_spec["name"],
        "epochs": regime.train.epochs,
        **measured,
        "train_seconds": float(history["seconds"].sum()),
        "config": run_spec,
        "train_settings": regime.train.to_dict(),
        "dataset_card": {"seed": card["seed"], "files": card["files"]},
        "code": code_version(),
        "torch": torch.__version__,
    }
    save_torch_atomic(out_dir / "model.pt", model.state_dict())
    write_text_atomic(out_dir / "history.csv", history.to_csv(index=False))
    write_json_atomic(out_dir / "final.json", final)
    return final


def finish_work_dir(work_dir: Path, out_dir: Path) -> None:
    """A finished run's work directory: its TensorBoard events move beside its artefacts in
    ``out_dir``; the rest (checkpoints, live histories, members' and USEFUL's probe scratch)
    is deleted, with the parents it leaves empty."""
    if work_dir.resolve() == out_dir.resolve():
        remove_checkpoints(out_dir)
        return
    board = work_dir / TENSORBOARD_NAME
    if board.is_dir():
        shutil.rmtree(out_dir / TENSORBOARD_NAME, ignore_errors=True)
        os.replace(board, out_dir / TENSORBOARD_NAME)
    shutil.rmtree(work_dir, ignore_errors=True)
    with contextlib.suppress(OSError):  # a sibling still trains, or the root
        os.removedirs(work_dir.parent)


def remove_checkpoints(out_dir: Path) -> None:
    """A finished run's checkpoints, live histories and scratch directories (USEFUL's probe,
    members, the policy-gradient phase's)."""
    for scratch_file in [*out_dir.rglob("checkpoint.pt"), *out_dir.rglob(LIVE_HISTORY_NAME)]:
        scratch_file.unlink()
    for scratch in [
        *out_dir.glob("member*"),
        out_dir / "useful_probe",
        out_dir / "policy_gradient",
    ]:
        if scratch.is_dir():
            shutil.rmtree(scratch)


def load_trained_model(run_dir: str | Path, data_dir: str | Path, device: str = "cpu"):
    """Rebuild a finished run's model from its ``final.json`` and ``model.pt``."""
    run_dir = Path(run_dir)
    final = json.loads((run_dir / "final.json").read_text())
    model = build_run_model(final["config"], read_card(data_dir))
    state = torch.load(run_dir / "model.pt", map_location=device, weights_only=True)
    model.load_state_dict(state)
    return model.to(device).eval()
