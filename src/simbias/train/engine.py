"""One training engine for every model and regime.

Data lives on the device as tensors and batches are taken by indexing, so the
hot loop has no per-sample Python and no DataLoader. Metrics accumulate on the
device and are read once an epoch (the only host sync). A checkpoint is
written atomically after every epoch; a restarted run resumes from it and ends
bit-identical (on CPU) to an uninterrupted one.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from simbias.io import save_torch_atomic
from simbias.train.augment import random_crop_flip
from simbias.train.device import cpu_has_native_bf16
from simbias.train.losses import is_regression, mean_loss
from simbias.train.mixup import mix_batch, mixed_loss
from simbias.train.optim import build_scheduler
from simbias.train.progress import RunProgress
from simbias.train.regime import InputTransform, PlainUpdate, Update
from simbias.train.spec import TrainSpec
from simbias.train.stopping import goal_measures, goal_stop, has_goal

CHECKPOINT_NAME = "checkpoint.pt"
#: At most this many checkpoints a run (plus the last epoch's): a full-batch run of
#: thousands of one-step epochs would otherwise spend its time pickling its own history.
MAX_CHECKPOINTS = 50


def checkpoint_due(epoch: int, epochs: int) -> bool:
    """Whether the state after ``epoch`` (1-based) of ``epochs`` is written: every epoch
    for runs of up to MAX_CHECKPOINTS epochs, else every ceil(epochs / MAX_CHECKPOINTS)
    epochs, and always the last. A kill loses at most that many epochs; resuming from any
    of them is bit-identical."""
    every = max(1, math.ceil(epochs / MAX_CHECKPOINTS))
    return epoch % every == 0 or epoch == epochs


class TrainingDivergedError(RuntimeError):
    """The training loss became NaN or infinite."""


@dataclass
class TensorData:
    """Inputs and labels already on the training device."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class FitResult:
    history: list[dict[str, float]]
    resumed_from_epoch: int
    #: The epoch after which the run stopped on its goal (``spec.loss_goal`` /
    #: ``accuracy_goal``), and why; None when it did not.
    stopped_at_epoch: int | None = None
    stop_reason: str | None = None


EpochHook = Callable[[int, dict[str, float]], None]
#: Called after every optimizer step (and once at step 0) with (step, model, optimizer);
#: a hook with ``state_dict`` / ``load_state_dict`` has its state kept in checkpoints.
StepHook = Callable[[int, nn.Module, torch.optim.Optimizer], None]


@torch.no_grad()
def predict_logits(model: nn.Module, x: torch.Tensor, batch_size: int = 2048) -> torch.Tensor:
    """Logits for ``x`` in eval mode, batched; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    logits = torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
    model.train(was_training)
    return logits


def _accuracy_on_device(model: nn.Module, data: TensorData, batch_size: int) -> torch.Tensor:
    logits = predict_logits(model, data.x, batch_size)
    return (logits.argmax(dim=1) == data.y).float().mean()


def evaluate_on_device(
    model: nn.Module, name: str, data: TensorData, spec: TrainSpec
) -> tuple[str, torch.Tensor]:
    """An eval set's history column and value, on the device: ``{name}_accuracy``, or for a
    regression loss (real-valued targets, no classes) ``{name}_loss``."""
    if is_regression(spec.loss):
        outputs = predict_logits(model, data.x, spec.eval_batch_size)
        return f"{name}_loss", mean_loss(spec.loss)(outputs, data.y)
    return f"{name}_accuracy", _accuracy_on_device(model, data, spec.eval_batch_size)


def epoch_steps(spec: TrainSpec, n: int, batch_size: int, run_name: str) -> int:
    """The optimizer steps of one epoch: one pass over the ``n`` training examples, or, with
    ``spec.steps_per_epoch``, that many full-batch steps (a coordinate network's thousands
    of full-batch steps, logged and probed every ``steps_per_epoch`` of them)."""
    if spec.steps_per_epoch is None:
        return math.ceil(n / batch_size)
    if batch_size < n:
        raise ValueError(
            f"run {run_name}: steps_per_epoch on a stored training set needs batch_size"
            f" full (got {spec.batch_size} of {n} examples)"
        )
    return spec.steps_per_epoch


def fit(
    model: nn.Module,
    train: TensorData,
    spec: TrainSpec,
    seed: int,
    run_dir: str | Path,
    run_name: str,
    eval_sets: dict[str, TensorData] | None = None,
    on_epoch_end: EpochHook | None = None,
    fingerprint: Any = None,
    update: Update | None = None,
    transform: InputTransform | None = None,
    stop_after_epoch: int | None = None,
    epoch_probes: Sequence[Callable[[nn.Module], dict[str, float]]] = (),
    step_hook: StepHook | None = None,
    progress: RunProgress | None = None,
) -> FitResult:
    """Train ``model`` in place for ``spec.epochs`` epochs, resuming from ``run_dir``'s
    checkpoint when one exists and was made by the same settings. Returns the history.

    ``fingerprint`` identifies what else defines the run (e.g. its resolved config); a
    checkpoint written under another fingerprint or spec is ignored, not resumed.
    ``update`` is the step rule (plain SGD/GD by default, or SAM); ``transform`` replaces
    each batch before the step (adversarial examples). ``stop_after_epoch`` ends training
    early while keeping the full-length schedule (USEFUL's separating epoch); so does
    reaching the spec's ``loss_goal`` / ``accuracy_goal`` (:mod:`simbias.train.stopping`),
    checked after every epoch: a run resumed after its goal's epoch trains no more.
    ``epoch_probes`` measure the model after each epoch into the history row (e.g. how far
    filters align with known features), before the checkpoint is written. ``step_hook``
    observes the model after every step (training dynamics). ``progress`` shows each
    epoch while the run trains (log line, live history file, TensorBoard).
    """
    update = update or PlainUpdate()
    loss_fn = mean_loss(spec.loss)
    run_dir = Path(run_dir)
    device = train.x.device
    eval_sets = eval_sets or {}
    n = len(train)
    batch_size = spec.batch_size_for(n)
    steps_per_epoch = epoch_steps(spec, n, batch_size, run_name)
    regression = is_regression(spec.loss)

    optimizer = update.build_optimizer(spec, model)
    scheduler = build_scheduler(spec, optimizer, steps_per_epoch)
    shuffle = torch.Generator(device=device)
    shuffle.manual_seed(seed)

    history: list[dict[str, float]] = []
    start_epoch = 0
    checkpoint_path = run_dir / CHECKPOINT_NAME
    identity = {"spec": spec.identity(), "seed": seed, "fingerprint": fingerprint}
    state = load_checkpoint(checkpoint_path, device, identity, run_name)
    if state is not None:
        history, start_epoch = restore_training(state, model, optimizer, scheduler)
        shuffle.set_state(state["shuffle_rng"])
        if step_hook is not None and hasattr(step_hook, "load_state_dict"):
            step_hook.load_state_dict(state["step_hook"])
    elif step_hook is not None:
        step_hook(0, model, optimizer)

    images = train.x.dim() == 4
    if spec.augments and not images:
        raise ValueError(
            f"run {run_name}: crop_padding/flip need image inputs (N, C, H, W),"
            f" got {tuple(train.x.shape)}"
        )
    channels_last = spec.channels_last and images
    if channels_last:
        model.to(memory_format=torch.channels_last)
    # The wrappers share the model's parameters; checkpoints hold the model's own.
    forward_model = _bf16_forward(model, spec, device, run_name)
    if spec.compile:
        forward_model = torch.compile(forward_model)

    model.train()
    last_epoch = min(spec.epochs, stop_after_epoch or spec.epochs)
    stop = goal_stop(spec, history)
    if stop is not None:  # resumed after the epoch that reached the goal
        last_epoch = start_epoch
    if progress is not None:
        progress.start(history)
    for epoch in range(start_epoch, last_epoch):
        started = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        order = torch.randperm(n, generator=shuffle, device=device)
        lr_at_start = optimizer.param_groups[0]["lr"]
        seen = 0
        for step in range(steps_per_epoch):
            start = (step * batch_size) % n  # full-batch epochs of several steps start over
            index = order[start : start + batch_size]
            inputs, labels = train.x[index], train.y[index]
            if spec.augments:
                inputs = random_crop_flip(inputs, spec.crop_padding, spec.flip, shuffle)
            step_loss = loss_fn
            if spec.mixup > 0:
                inputs, partners, lam = mix_batch(inputs, labels, spec.mixup, shuffle)
                step_loss = mixed_loss(loss_fn, partners, lam)
            if channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            if transform is not None:
                inputs = transform(forward_model, inputs, labels, shuffle)
            loss, logits = update(forward_model, optimizer, inputs, labels, step_loss)
            scheduler.step()
            if step_hook is not None:
                step_hook(epoch * steps_per_epoch + step + 1, model, optimizer)
            # Accumulated on the device: no host sync inside the step loop.
            loss_sum += loss.detach() * len(index)
            seen += len(index)
            if not regression:
                correct += (logits.detach().argmax(dim=1) == labels).sum()

        row = {"epoch": epoch + 1, "lr": lr_at_start}
        evaluated = dict(
            evaluate_on_device(model, name, data, spec) for name, data in eval_sets.items()
        )
        if has_goal(spec):
            logits = predict_logits(model, train.x, spec.eval_batch_size)
            evaluated.update(goal_measures(logits, train.y, spec.loss))
        # The one host sync of the epoch.
        row["train_loss"] = float(loss_sum) / seen
        if not regression:
            row["train_accuracy"] = float(correct) / n
        row.update({key: float(value) for key, value in evaluated.items()})
        row["seconds"] = time.perf_counter() - started
        for probe in epoch_probes:
            row.update(probe(model))
        if not math.isfinite(row["train_loss"]):
            raise TrainingDivergedError(
                f"run {run_name}: training loss became {row['train_loss']} at epoch {epoch + 1}"
                f" (lr {lr_at_start:g}); lower the learning rate"
            )
        history.append(row)
        stop = goal_stop(spec, history)
        if stop is not None or checkpoint_due(epoch + 1, spec.epochs):
            hook_state = step_hook.state_dict() if hasattr(step_hook, "state_dict") else None
            _save_checkpoint(
                checkpoint_path, model, optimizer, scheduler, shuffle, history, epoch + 1,
                identity, hook_state,
            )  # fmt: skip
        if progress is not None:
            progress.log(row)
        if on_epoch_end is not None:
            on_epoch_end(epoch + 1, row)
        if stop is not None:
            break
    if progress is not None:
        progress.close()
    return FitResult(
        history=history,
        resumed_from_epoch=start_epoch,
        stopped_at_epoch=stop.epoch if stop else None,
        stop_reason=stop.reason if stop else None,
    )


class Bf16Forward(nn.Module):
    """``model``'s forward under bfloat16 autocast, logits returned in float32: the loss,
    the backward's start and the optimizer stay float32 (autocast's recommended scope)."""

    def __init__(self, model: nn.Module, device_type: str) -> None:
        super().__init__()
        self.model = model
        self.device_type = device_type

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.model(inputs).float()


def _bf16_forward(
    model: nn.Module, spec: TrainSpec, device: torch.device, run_name: str
) -> nn.Module:
    if spec.precision != "bf16":
        return model
    if device.type == "cpu" and not cpu_has_native_bf16():
        warnings.warn(
            f"run {run_name}: precision bf16 on a CPU without native bfloat16 is emulated"
            " and slower than float32",
            stacklevel=3,
        )
    return Bf16Forward(model, device.type)


def restore_training(
    state: dict[str, Any], model: nn.Module, optimizer, scheduler
) -> tuple[list[dict[str, float]], int]:
    """Put a checkpoint's model, optimizer, schedule and torch RNG back; its history and
    the epoch it ended (the data order's state is the caller's: it differs by loop)."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    return state["history"], state["epoch"]


def load_checkpoint(
    path: Path, device: torch.device, identity: dict[str, Any], run_name: str
) -> dict[str, Any] | None:
    """A checkpoint written under ``identity``, else None (a file written by other settings
    is ignored with a warning)."""
    if not path.exists():
        return None
    # Our own file (a training checkpoint); it holds RNG states, hence weights_only=False.
    state = torch.load(path, map_location=device, weights_only=False)
    if state.get("identity") != identity:
        warnings.warn(
            f"run {run_name}: ignoring {path}, written by other settings; starting afresh",
            stacklevel=3,
        )
        return None
    return state


def _save_checkpoint(
    path: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    shuffle: torch.Generator,
    history: list[dict[str, float]],
    epoch: int,
    identity: dict[str, Any],
    hook_state: Any = None,
) -> None:
    state = {
        "step_hook": hook_state,
        "identity": identity,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "shuffle_rng": shuffle.get_state(),
        "torch_rng": torch.get_rng_state(),
        "history": history,
        "epoch": epoch,
    }
    save_torch_atomic(path, state)
