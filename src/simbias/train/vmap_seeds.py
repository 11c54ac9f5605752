"""Train several seeds of one model at once, in one process, with ``torch.func``.

``fit_seeds(build_model, seeds, train, spec)`` gives, for every seed ``s``, what

    seed_everything(s); model = build_model(s); fit(model, train, spec, seed=s, ...)

gives (up to float rounding: a batched matmul sums in another order than a plain one):
the same initial weights, the same per-epoch shuffling and augmentation (a
``torch.Generator`` seeded with ``s``, drawn in the order ``fit`` draws it), the same
batches and steps per epoch, the same optimizer (via ``build_optimizer``) and per-step
learning-rate schedule (via ``build_scheduler``), BatchNorm statistics per seed.

How: the S models become one :class:`~simbias.train.stacked_model.StackedModel`; each step
gathers the S seeds' batches into (S, B, ...) by indexing, runs the S forwards as one
batched forward and takes the gradient of the sum of the S per-seed mean losses; the
optimizer (elementwise) on the stacked tensors is exactly per-seed optimization. SAM and
adversarial training run per seed on the stacked parameters
(:mod:`simbias.train.seed_steps`).

Checkpoints: with ``work_dirs`` (one per seed, the run's own), each seed's state is written
there after every epoch, in its own file; a restarted batch resumes each seed from its own
(seeds whose checkpoints stand at different epochs train in separate batches). A seed whose
loss becomes NaN or infinite stops there with a message naming it (its checkpoint stays at
its last finite epoch); the other seeds train on, their checkpoints untouched by it. A seed
that reaches the spec's ``loss_goal`` / ``accuracy_goal`` (:mod:`simbias.train.stopping`)
stops alone the same way, its checkpoint at that epoch (a restarted batch finds it stopped
and trains it no more), with what ``fit`` alone gives for it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from simbias.train.augment import random_crop_flip
from simbias.train.engine import TensorData, checkpoint_due, epoch_steps
from simbias.train.losses import is_regression, per_example_loss
from simbias.train.optim import build_optimizer, build_scheduler
from simbias.train.progress import RunProgress, epoch_line, seed_names
from simbias.train.seed_checkpoints import fresh_state, load_seed_checkpoint, save_seed_state
from simbias.train.seed_observers import SeedObservers
from simbias.train.seed_steps import batched_step, batched_transform
from simbias.train.seeding import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.stacked_model import (
    StackedModel,
    slice_optimizer_state,
    stack_optimizer_states,
)
from simbias.train.stopping import goal_measures, goal_stop, has_goal


@dataclass
class SeedResult:
    """One seed's trained weights and history, as ``fit`` would have left them."""

    seed: int
    #: Loadable into ``build_model(seed)``; None when the seed diverged.
    state_dict: dict[str, torch.Tensor] | None
    #: One row per epoch with ``fit``'s keys: epoch, lr, train_loss, train_accuracy,
    #: ``{name}_accuracy`` per eval set, goal_train_loss and goal_train_accuracy with a goal
    #: set, seconds. ``seconds`` is the wall time of the epoch for the whole batch of seeds
    #: (shared by all of them, not divided by S).
    history: list[dict[str, float]]
    #: The epoch its checkpoint resumed from (0: from scratch).
    resumed_from_epoch: int = 0
    #: Why the seed stopped early (its loss became NaN or infinite), else None.
    error: str | None = None
    #: The epoch after which it stopped on its goal, and why (as ``FitResult``'s), else None.
    stopped_at_epoch: int | None = None
    stop_reason: str | None = None


def fit_seeds(
    build_model: Callable[[int], nn.Module],
    seeds: list[int],
    train: TensorData,
    spec: TrainSpec,
    eval_sets: dict[str, TensorData] | None = None,
    update: Any = None,
    transform: Any = None,
    work_dirs: list[Path] | None = None,
    fingerprints: list[Any] | None = None,
    step_hooks: list[Any] | None = None,
    epoch_probes: tuple = (),
    progress: list[RunProgress] | None = None,
) -> list[SeedResult]:
    """Train ``build_model(s)`` for every ``s`` in ``seeds`` together; one result per seed,
    in the order of ``seeds``.

    Before ``build_model(s)`` is called, the global RNGs are seeded with ``s``
    (``seed_everything(s)``, as ``train_run`` does). Models are moved to ``train``'s
    device. ``update`` and ``transform`` are the regime's pieces, as ``fit`` takes them.
    ``work_dirs`` (one per seed) hold checkpoints, checked against ``fingerprints`` (what
    else defines each run, as ``fit``'s ``fingerprint``). ``step_hooks`` (one per seed, or
    None) and ``epoch_probes`` observe each seed's network as in ``fit``
    (:mod:`simbias.train.seed_observers`). A diverged seed's result has ``error`` set and
    no state; the caller decides what to do with the others. A seed that reached its goal
    stops there (``stopped_at_epoch``, ``stop_reason``); the others train on.
    ``progress`` (one per seed, or None) keeps each seed's live history and TensorBoard
    scalars; the batch prints one line per epoch (means and ranges over its seeds).
    """
    take_step = batched_step(update, spec.loss)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("fit_seeds needs at least one seed")
    if spec.mixup > 0:  # the planner trains these one seed at a time (plan.runs)
        raise ValueError("mixup has no seeds-at-once form yet; train the seeds with fit")
    if work_dirs is not None and len(work_dirs) != len(seeds):
        raise ValueError(f"{len(work_dirs)} work directories for {len(seeds)} seeds")
    device = train.x.device
    models = []
    for s in seeds:
        seed_everything(s)
        models.append(build_model(s).to(device))
    identities = [
        {"spec": spec.identity(), "seed": s, "fingerprint": f, "seeds_at_once": True}
        for s, f in zip(seeds, fingerprints or [None] * len(seeds), strict=True)
    ]
    paths = [Path(d) for d in work_dirs] if work_dirs is not None else [None] * len(seeds)
    states = [
        load_seed_checkpoint(path, identity, device) or fresh_state(model, identity)
        for path, identity, model in zip(paths, identities, models, strict=True)
    ]
    resumed = {s: state["epoch"] for s, state in zip(seeds, states, strict=True)}
    progress = progress or [None] * len(seeds)
    for seed_progress, state in zip(progress, states, strict=True):
        if seed_progress is not None:
            seed_progress.start(state["history"])
    observers = SeedObservers(models, step_hooks, epoch_probes)
    # Seeds whose checkpoints stand at the same epoch share steps; a seed that diverged or
    # is done (last epoch, or its goal reached) leaves, the others train on without it.
    results: dict[int, SeedResult] = {}
    errors: dict[int, str] = {}
    pending = list(range(len(seeds)))
    while True:
        for i in list(pending):
            error = errors.get(seeds[i])
            if error is None and not _done(states[i], spec):
                continue
            stop = None if error else goal_stop(spec, states[i]["history"])
            results[seeds[i]] = SeedResult(
                seed=seeds[i],
                state_dict=None if error else states[i]["model"],
                history=states[i]["history"],
                resumed_from_epoch=resumed[seeds[i]],
                error=error,
                stopped_at_epoch=stop.epoch if stop else None,
                stop_reason=stop.reason if stop else None,
            )
            pending.remove(i)
            if progress[i] is not None:
                progress[i].close()
        if not pending:
            break
        epoch = min(states[i]["epoch"] for i in pending)
        together = [i for i in pending if states[i]["epoch"] == epoch]
        errors |= _train_together(
            [seeds[i] for i in together],
            [models[i] for i in together],
            [states[i] for i in together],
            [paths[i] for i in together],
            observers.subset(together),
            [progress[i] for i in together],
            train,
            spec,
            eval_sets or {},
            take_step,
            transform,
        )
    return [results[s] for s in seeds]


def _done(state: dict[str, Any], spec: TrainSpec) -> bool:
    """Whether a seed's state is final: at the last epoch, or its goal reached."""
    return state["epoch"] == spec.epochs or goal_stop(spec, state["history"]) is not None


def _train_together(
    seeds, models, states, paths, observers, progress, train, spec, eval_sets, take_step,
    transform,
) -> dict[int, str]:  # fmt: skip
    """Train the seeds from their states (all at one epoch, none done) until the last epoch,
    or until some seed's loss is no longer finite or some seed reached its goal. ``states``
    are updated in place (and written to ``paths``) on the checkpoint cadence
    (``engine.checkpoint_due``) and when seeds leave, for every seed still finite; returns
    {seed: error}."""
    device = train.x.device
    n_seeds, n = len(seeds), len(train)
    batch_size = spec.batch_size_for(n)
    steps_per_epoch = epoch_steps(spec, n, batch_size, f"seeds {seeds}")
    regression = is_regression(spec.loss)
    stacked = StackedModel(models, seeds)
    stacked.load_seed_states([state["model"] for state in states])
    # The stacked leaves live in a holder module, so that the optimizer comes from the
    # same build_optimizer (and its hyperparameters) as fit's.
    holder = nn.Module()
    for i, p in enumerate(stacked.params.values()):
        holder.register_parameter(f"p{i}", p)
    leaves = list(stacked.params.values())
    optimizer = build_optimizer(spec, holder)
    scheduler = build_scheduler(spec, optimizer, steps_per_epoch)
    if states[0]["optimizer"] is not None:
        optimizer.load_state_dict(stack_optimizer_states([s["optimizer"] for s in states], leaves))
        scheduler.load_state_dict(states[0]["scheduler"])
    shuffles = [torch.Generator(device=device) for _ in seeds]
    transform_seeds = batched_transform(transform)
    for generator, state in zip(shuffles, states, strict=True):
        generator.set_state(state["shuffle_rng"])
    observers.start(stacked, optimizer, states)
    histories = [list(state["history"]) for state in states]

    for epoch in range(states[0]["epoch"], spec.epochs):
        started = time.perf_counter()
        loss_sum = torch.zeros(n_seeds, device=device)
        correct = torch.zeros(n_seeds, device=device, dtype=torch.long)
        orders = torch.stack([torch.randperm(n, generator=g, device=device) for g in shuffles])
        lr_at_start = optimizer.param_groups[0]["lr"]
        stacked.train()
        seen = 0
        for step in range(steps_per_epoch):
            start = (step * batch_size) % n  # full-batch epochs of several steps start over
            index = orders[:, start : start + batch_size].reshape(-1)
            batch = index.numel() // n_seeds
            inputs = train.x.index_select(0, index).view(n_seeds, batch, *train.x.shape[1:])
            labels = train.y.index_select(0, index).view(n_seeds, batch, *train.y.shape[1:])
            if spec.augments:
                inputs = torch.stack(
                    [
                        random_crop_flip(inputs[i], spec.crop_padding, spec.flip, shuffles[i])
                        for i in range(n_seeds)
                    ]
                )
            if transform_seeds is not None:
                inputs = transform_seeds(stacked, inputs, labels, shuffles)
            # losses (S,): each seed's fit loss; logits (S, B, C).
            losses, logits = take_step(stacked, optimizer, inputs, labels)
            scheduler.step()
            if observers.active:
                observers.after_step(epoch * steps_per_epoch + step + 1, stacked, optimizer)
            # Accumulated on the device: no host sync inside the step loop.
            loss_sum += losses * batch
            seen += batch
            if not regression:
                correct += (logits.argmax(dim=2) == labels).sum(dim=1)

        stacked.train(False)
        evaluated = dict(_evaluate(stacked, name, data, spec) for name, data in eval_sets.items())
        if has_goal(spec):
            evaluated.update(
                goal_measures(_logits(stacked, train.x, spec.eval_batch_size), train.y, spec.loss)
            )
        # The one host sync of the epoch.
        train_loss = (loss_sum.double() / seen).tolist()
        train_accuracy = (correct.double() / n).tolist()
        evaluated_host = {key: value.tolist() for key, value in evaluated.items()}
        seconds = time.perf_counter() - started
        errors = {}
        for i, s in enumerate(seeds):
            if not math.isfinite(train_loss[i]):
                errors[s] = (
                    f"seed {s}: training loss became {train_loss[i]} at epoch {epoch + 1}"
                    f" (lr {lr_at_start:g}); lower the learning rate"
                )
                continue
            row = {"epoch": epoch + 1, "lr": lr_at_start}
            row["train_loss"] = train_loss[i]
            if not regression:
                row["train_accuracy"] = train_accuracy[i]
            row.update({key: values[i] for key, values in evaluated_host.items()})
            row["seconds"] = seconds
            row.update(observers.probe(stacked, i))
            histories[i].append(row)
            if progress[i] is not None:
                progress[i].log(row)
        shown = [i for i, p in enumerate(progress) if p is not None and seeds[i] not in errors]
        if shown:
            names = seed_names([progress[i].name for i in shown])
            rows = [histories[i][-1] for i in shown]
            print(epoch_line(names, rows, spec.epochs), flush=True)
        finite = [i for i, s in enumerate(seeds) if s not in errors]
        leaving = bool(errors) or any(
            epoch + 1 == spec.epochs or goal_stop(spec, histories[i]) is not None for i in finite
        )
        # A state (weights, optimizer, generator, history) is only ever written whole, on the
        # checkpoint cadence or when seeds leave the batch; a diverged seed keeps its last.
        if leaving or checkpoint_due(epoch + 1, spec.epochs):
            optimizer_state = optimizer.state_dict()
            for i in finite:
                states[i].update(
                    step_hook=observers.hook_state(i),
                    model=stacked.seed_state(i),
                    optimizer=slice_optimizer_state(optimizer_state, leaves, i),
                    scheduler=scheduler.state_dict(),
                    shuffle_rng=shuffles[i].get_state(),
                    history=list(histories[i]),
                    epoch=epoch + 1,
                )
                save_seed_state(paths[i], states[i])
        if leaving:
            return errors
    return {}


def _evaluate(
    stacked: StackedModel, name: str, data: TensorData, spec: TrainSpec
) -> tuple[str, torch.Tensor]:
    """As ``engine.evaluate_on_device``, for every seed at once: ``{name}_accuracy`` (S,),
    or ``{name}_loss`` (S,) for a regression loss."""
    if not is_regression(spec.loss):
        return f"{name}_accuracy", stacked.accuracy(data.x, data.y, spec.eval_batch_size)
    outputs = _logits(stacked, data.x, spec.eval_batch_size)
    targets = data.y.unsqueeze(0).expand(stacked.n_seeds, *data.y.shape)
    return f"{name}_loss", per_example_loss(spec.loss)(outputs, targets).mean(dim=1)


@torch.no_grad()
def _logits(stacked: StackedModel, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Every seed's logits (S, N, C) on the same ``x``, batched, in the current mode."""
    chunks = x.split(batch_size)
    return torch.cat(
        [stacked.forward(c.unsqueeze(0).expand(stacked.n_seeds, *c.shape)) for c in chunks], dim=1
    )
