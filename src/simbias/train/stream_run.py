"""Train one run on a stream (a dataset whose card has a ``stream``: in-context regression
prompts or chain-of-thought questions) and write
the artefacts every run has: ``model.pt``, ``history.csv`` (per epoch of
``steps_per_epoch`` steps: train loss, held-out test loss; then, with a policy_gradient
piece, one row per RL epoch) and ``final.json`` (final losses, the resolved config, the
code version). ``train_run`` sends such runs here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from simbias.data.cot_stream import CotStream
from simbias.data.store import load_split
from simbias.data.streams import stream_from_card
from simbias.train.policy_gradient import fit_policy_gradient
from simbias.train.regime import Regime
from simbias.train.run import (
    build_run_model,
    finish_work_dir,
    load_trained_model,
    run_progress,
    save_run_artefacts,
    stop_facts,
)
from simbias.train.seeding import seed_everything
from simbias.train.stream_fit import fit_stream


def held_out_prompts(
    data_dir: str | Path, card: dict[str, Any], device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """The dataset's test split as its stream's training batches come (inputs, targets)."""
    inputs, targets = stream_from_card(card["stream"]).held_out(load_split(data_dir, "test"))
    return inputs.to(device), targets.to(device)


def check_streamable(run_spec: dict[str, Any], regime: Regime, stream: Any) -> None:
    """A prompt stream trains one network by an update rule: the pieces that transform
    inputs, reweight a stored training set or train members do not apply; the policy
    gradient needs questions whose CoT length the model chooses."""
    if regime.policy_gradient is not None and not isinstance(stream, CotStream):
        raise ValueError(f"run {run_spec['name']}: policy_gradient needs a chain-of-thought stream")
    unsupported = [
        name
        for name, piece in (
            ("adversarial/noise", regime.transform),
            ("useful", regime.useful),
            ("ensemble", regime.ensemble),
        )
        if piece is not None
    ]
    if unsupported:
        raise ValueError(
            f"run {run_spec['name']}: {', '.join(unsupported)} cannot train on a prompt stream"
        )


@dataclass(frozen=True)
class StartedFrom:
    """What a run that starts from another run's final weights takes over from it: its
    supervised history and how it stopped (as fit_stream's result gives them)."""

    history: list[dict[str, Any]]
    resumed_from_epoch: int | None
    stopped_at_epoch: int | None
    stop_reason: str | None


def started_from(run_dir: Path) -> StartedFrom:
    """The history and stop facts of the finished run in ``run_dir`` (its weights load with
    :func:`simbias.train.run.load_trained_model`)."""
    final = json.loads((run_dir / "final.json").read_text())
    history = pd.read_csv(run_dir / "history.csv").drop(columns="member", errors="ignore")
    return StartedFrom(
        history=history.to_dict("records"),
        resumed_from_epoch=final["resumed_from_epoch"][0],
        stopped_at_epoch=final["stopped_at_epoch"][0],
        stop_reason=final["stop_reason"][0],
    )


def train_stream_run(
    run_spec: dict[str, Any],
    card: dict[str, Any],
    data_dir: str | Path,
    out_dir: Path,
    device: str,
    work_dir: Path,
) -> dict[str, Any]:
    """Train the run on the card's prompt stream; checkpoints in ``work_dir``."""
    seed = int(run_spec["seed"])
    regime = Regime.from_dict(run_spec["regime"])
    stream = stream_from_card(card["stream"])
    check_streamable(run_spec, regime, stream)
    test = held_out_prompts(data_dir, card, device)
    seed_everything(seed)
    if "start_from" in run_spec:  # the supervised part is another run's (plan: same settings)
        start = Path(run_spec["start_from"])
        model = load_trained_model(start, data_dir, device)
        result = started_from(start)
    else:
        model = build_run_model(run_spec, card).to(device)
        result = fit_stream(
            model, stream, regime.train, seed, work_dir, run_spec["name"],
            eval_sets={"test": test}, fingerprint=run_spec, update=regime.update,
            progress=run_progress(run_spec, regime.train.epochs, work_dir, work_dir),
        )  # fmt: skip
    last = result.history[-1]
    rows, extra = list(result.history), {}
    if regime.policy_gradient is not None:  # after the supervised epochs, from their final weights
        epochs, steps = regime.train.epochs, regime.train.steps_per_epoch
        rl_rows, resumed = fit_policy_gradient(
            model, stream, regime.policy_gradient, seed, epochs * steps, epochs,
            work_dir, run_spec["name"], fingerprint=run_spec,
        )  # fmt: skip
        rows += rl_rows
        pg = regime.policy_gradient
        extra = {"rl_resumed_from_epoch": resumed, "rl_accuracy": rl_rows[-1]["rl_accuracy"],
                 "rl_mean_steps": rl_rows[-1]["rl_mean_steps"],
                 "rl_steps": pg.epochs * pg.steps_per_epoch}  # fmt: skip
    history = pd.DataFrame(rows).assign(member=0)
    measured = {
        "members": 1,
        "resumed_from_epoch": [result.resumed_from_epoch],
        **stop_facts([result]),
        "steps": regime.train.epochs * regime.train.steps_per_epoch,  # supervised (+ rl_steps)
        "train_loss": last["train_loss"],
        "test_loss": last["test_loss"],
        **extra,
    }
    final = save_run_artefacts(out_dir, run_spec, regime, card, model, history, measured)
    finish_work_dir(work_dir, out_dir)
    return final
