"""Training on a stream of fresh examples (in-context regression prompts, chain-of-thought
questions): ``fit``'s loop for data that is drawn, not stored.

Every step takes a new batch from the dataset's stream (simbias.data.streams: a
``PromptStream`` or a ``CotStream``) at (run seed, step), so the data order needs no
generator state: a resumed run draws the batches the uninterrupted one drew. An epoch is
``spec.steps_per_epoch`` steps: one history row and log line (``RunProgress``), the
checkpoint cadence
(``engine.checkpoint_due``) and the learning-rate schedule's unit, as an epoch is for
``fit``. What it shares with ``fit``: the update rules (plain or SAM, ``update``), the
optimizer and schedule (``build_scheduler``), the loss by name, the checkpoint's identity
and file (``load_checkpoint``, written atomically), the divergence check. A restarted run
ends bit-identical on CPU to an uninterrupted one.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from simbias.data.cot_stream import CotStream
from simbias.data.prompt_stream import PromptStream
from simbias.io import save_torch_atomic
from simbias.train.engine import (
    CHECKPOINT_NAME,
    FitResult,
    TrainingDivergedError,
    checkpoint_due,
    load_checkpoint,
    restore_training,
)
from simbias.train.losses import mean_loss
from simbias.train.optim import build_scheduler
from simbias.train.progress import RunProgress
from simbias.train.regime import PlainUpdate, Update
from simbias.train.spec import TrainSpec


@torch.no_grad()
def prompt_loss(
    model: nn.Module, prompts: torch.Tensor, targets: torch.Tensor, loss: str, chunk_size: int
) -> torch.Tensor:
    """The mean loss ``loss`` of the model on held-out ``prompts`` (as the stream's
    ``held_out`` gives them), ``chunk_size`` at a time, in eval mode, on the device (no host
    sync); the mode is restored."""
    was_training = model.training
    model.eval()
    per_example = mean_loss(loss)
    total = torch.zeros((), device=prompts.device)
    for start in range(0, len(prompts), chunk_size):
        chunk = slice(start, start + chunk_size)
        total += per_example(model(prompts[chunk]), targets[chunk]) * len(targets[chunk])
    model.train(was_training)
    return total / len(targets)


def fit_stream(
    model: nn.Module,
    stream: PromptStream | CotStream,
    spec: TrainSpec,
    seed: int,
    run_dir: str | Path,
    run_name: str,
    eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    fingerprint: Any = None,
    update: Update | None = None,
    progress: RunProgress | None = None,
) -> FitResult:
    """Train ``model`` in place for ``spec.epochs`` x ``spec.steps_per_epoch`` steps of
    ``spec.batch_size`` fresh examples from ``stream`` (run seed ``seed``), resuming from
    ``run_dir``'s checkpoint when one exists and was made by the same settings
    (``fingerprint`` as ``fit``'s). ``eval_sets`` maps a name to held-out (inputs, targets)
    as ``stream.held_out`` gives them, on the model's device: their loss goes into every
    history row as ``{name}_loss``. ``update`` is the step rule (plain by default, or SAM)."""
    if spec.steps_per_epoch is None:
        raise ValueError(f"run {run_name}: a prompt stream needs train steps_per_epoch")
    if spec.batch_size == "full":
        raise ValueError(f"run {run_name}: a prompt stream has no full batch; give a size")
    if spec.precision != "float32" or spec.compile:
        raise ValueError(f"run {run_name}: prompt streams train in float32, uncompiled")
    if spec.mixup > 0:  # simbias.train.mixup mixes stored image batches, in fit only
        raise ValueError(f"run {run_name}: a prompt stream has no mixup")
    update = update or PlainUpdate()
    loss_fn = mean_loss(spec.loss)
    device = next(model.parameters()).device
    steps = spec.steps_per_epoch
    optimizer = update.build_optimizer(spec, model)
    scheduler = build_scheduler(spec, optimizer, steps)

    history: list[dict[str, float]] = []
    start_epoch = 0
    checkpoint_path = Path(run_dir) / CHECKPOINT_NAME
    identity = {"spec": spec.identity(), "seed": seed, "fingerprint": fingerprint}
    state = load_checkpoint(checkpoint_path, device, identity, run_name)
    if state is not None:  # the stream needs no state: step t's batch is seeded by t
        history, start_epoch = restore_training(state, model, optimizer, scheduler)

    model.train()
    if progress is not None:
        progress.start(history)
    for epoch in range(start_epoch, spec.epochs):
        started = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        lr_at_start = optimizer.param_groups[0]["lr"]
        for step in range(steps):
            inputs, targets = stream.training_batch(
                seed, epoch * steps + step, int(spec.batch_size)
            )
            loss, _ = update(model, optimizer, inputs.to(device), targets.to(device), loss_fn)
            scheduler.step()
            loss_sum += loss.detach()  # on the device: no host sync inside the block
        held_out = {
            f"{name}_loss": prompt_loss(model, prompts, targets, spec.loss, spec.eval_batch_size)
            for name, (prompts, targets) in (eval_sets or {}).items()
        }
        # The one host sync of the epoch.
        row = {"epoch": epoch + 1, "lr": lr_at_start, "train_loss": float(loss_sum) / steps}
        row.update({key: float(value) for key, value in held_out.items()})
        row["seconds"] = time.perf_counter() - started
        if not math.isfinite(row["train_loss"]):
            raise TrainingDivergedError(
                f"run {run_name}: training loss became {row['train_loss']} at epoch {epoch + 1}"
                f" (lr {lr_at_start:g}); lower the learning rate"
            )
        history.append(row)
        if checkpoint_due(epoch + 1, spec.epochs):
            save_torch_atomic(checkpoint_path, {
                "identity": identity, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(), "history": history, "epoch": epoch + 1,
            })  # fmt: skip
        if progress is not None:
            progress.log(row)
    if progress is not None:
        progress.close()
    return FitResult(history=history, resumed_from_epoch=start_epoch)
