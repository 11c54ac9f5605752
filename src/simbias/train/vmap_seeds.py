"""Train several seeds of one small model at once, in one process, with ``torch.func``.

``fit_seeds(build_model, seeds, train, spec)`` gives, for every seed ``s``, what

    seed_everything(s); model = build_model(s); fit(model, train, spec, seed=s, ...)

gives (up to float rounding: a batched matmul sums in another order than a plain one):
the same initial weights, the same per-epoch shuffling (a ``torch.Generator`` seeded
with ``s``, one ``randperm`` per epoch), the same batches and steps per epoch, the same
SGD (momentum, weight decay, nesterov, via ``build_optimizer``) and the same per-step
learning-rate schedule (via ``build_scheduler``).

How: the S models' parameters are stacked into leaf tensors of shape (S, ...)
(``torch.func.stack_module_state``); each step gathers the S seeds' batches into
(S, B, ...) by indexing, runs the S forwards as one batched forward and takes the
gradient of the sum of the S per-seed mean losses. A seed's loss depends on its own
slice of the stacked parameters only, so each slice's gradient is exactly that seed's
gradient, and SGD (elementwise) on the stacked tensors is exactly per-seed SGD.

The batched forward is ``vmap(functional_call(model, ...))`` and autograd takes the
gradient. (A hand-written batched MLP backward measured ~1.5x faster per step; we keep
torch.func and autograd instead of a second copy of backpropagation to maintain.)

Only models without buffers, batch norm or dropout are supported (the MLPs): their
forward is a pure function of parameters and inputs, so vmapping over seeds is exact.
SAM and adversarial training run per seed on the stacked parameters
(:mod:`simbias.train.seed_steps`).

There is no checkpointing: a batch of small MLPs trains in seconds, and if the process
is killed the batch restarts from scratch (it is deterministic, so it ends the same).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from torch.nn import functional as F

from simbias.train.engine import TensorData, TrainingDivergedError
from simbias.train.optim import build_optimizer, build_scheduler
from simbias.train.seed_steps import batched_step, perturb_seeds
from simbias.train.seeding import seed_everything
from simbias.train.spec import TrainSpec

_REFUSED_MODULES = (
    nn.modules.batchnorm._BatchNorm,
    nn.modules.instancenorm._InstanceNorm,
    nn.modules.dropout._DropoutNd,
)


@dataclass
class SeedResult:
    """One seed's trained weights and history, as ``fit`` would have left them."""

    seed: int
    #: Loadable into ``build_model(seed)``.
    state_dict: dict[str, torch.Tensor]
    #: One row per epoch with ``fit``'s keys: epoch, lr, train_loss, train_accuracy,
    #: ``{name}_accuracy`` per eval set, seconds. ``seconds`` is the wall time of the
    #: epoch for the whole batch of seeds (shared by all of them, not divided by S).
    history: list[dict[str, float]]


def fit_seeds(
    build_model: Callable[[int], nn.Module],
    seeds: list[int],
    train: TensorData,
    spec: TrainSpec,
    eval_sets: dict[str, TensorData] | None = None,
    update: Any = None,
    transform: Any = None,
) -> list[SeedResult]:
    """Train ``build_model(s)`` for every ``s`` in ``seeds`` together; one result per seed,
    in the order of ``seeds``.

    Before ``build_model(s)`` is called, the global RNGs are seeded with ``s``
    (``seed_everything(s)``, as ``train_run`` does), so ``build_model`` need not seed
    itself (reseeding inside it is harmless). Models are moved to ``train``'s device.
    ``update`` and ``transform`` are the regime's pieces, as ``fit`` takes them (plain
    or SAM updates, adversarial examples; :mod:`simbias.train.seed_steps`).
    Raises ValueError for models with buffers, batch norm or dropout, or whose seeds
    build differently shaped parameters, and ``TrainingDivergedError`` naming the seed
    and epoch when a seed's training loss becomes NaN or infinite.
    """
    take_step = batched_step(update)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("fit_seeds needs at least one seed")
    device = train.x.device
    eval_sets = eval_sets or {}
    models = []
    for s in seeds:
        seed_everything(s)
        models.append(build_model(s).to(device))
    _check_supported(models, seeds)

    n_seeds = len(seeds)
    n = len(train)
    batch_size = spec.batch_size_for(n)
    steps_per_epoch = math.ceil(n / batch_size)

    stacked, _ = stack_module_state(models)
    names = list(stacked)
    # The stacked leaves live in a holder module, so that the optimizer comes from the
    # same build_optimizer (and its hyperparameters) as fit's.
    holder = nn.Module()
    params: dict[str, nn.Parameter] = {}
    for i, name in enumerate(names):
        params[name] = nn.Parameter(
            stacked[name].detach(), requires_grad=stacked[name].requires_grad
        )
        holder.register_parameter(f"p{i}", params[name])
    optimizer = build_optimizer(spec, holder)
    scheduler = build_scheduler(spec, optimizer, steps_per_epoch)
    runner = _VmappedModel(models[0])

    shuffles = [torch.Generator(device=device) for _ in seeds]
    for generator, s in zip(shuffles, seeds, strict=True):
        generator.manual_seed(s)

    histories: list[list[dict[str, float]]] = [[] for _ in seeds]
    for epoch in range(spec.epochs):
        started = time.perf_counter()
        loss_sum = torch.zeros(n_seeds, device=device)
        correct = torch.zeros(n_seeds, device=device, dtype=torch.long)
        orders = torch.stack([torch.randperm(n, generator=g, device=device) for g in shuffles])
        lr_at_start = optimizer.param_groups[0]["lr"]
        for step in range(steps_per_epoch):
            index = orders[:, step * batch_size : (step + 1) * batch_size].reshape(-1)
            batch = index.numel() // n_seeds
            inputs = train.x.index_select(0, index).view(n_seeds, batch, *train.x.shape[1:])
            labels = train.y.index_select(0, index).view(n_seeds, batch)
            if transform is not None:
                inputs = perturb_seeds(runner, params, inputs, labels, transform.attack, shuffles)
            # losses (S,): each seed's fit loss; logits (S, B, C).
            losses, logits = take_step(runner, params, optimizer, inputs, labels)
            scheduler.step()
            # Accumulated on the device: no host sync inside the step loop.
            loss_sum += losses * batch
            correct += (logits.argmax(dim=2) == labels).sum(dim=1)

        evaluated = {
            f"{name}_accuracy": _stacked_accuracy(runner, params, data, spec.eval_batch_size)
            for name, data in eval_sets.items()
        }
        # The one host sync of the epoch.
        train_loss = (loss_sum.double() / n).tolist()
        train_accuracy = (correct.double() / n).tolist()
        evaluated_host = {key: value.tolist() for key, value in evaluated.items()}
        seconds = time.perf_counter() - started
        for i, s in enumerate(seeds):
            if not math.isfinite(train_loss[i]):
                raise TrainingDivergedError(
                    f"seed {s}: training loss became {train_loss[i]} at epoch {epoch + 1}"
                    f" (lr {lr_at_start:g}); lower the learning rate"
                )
        for i in range(n_seeds):
            row = {"epoch": epoch + 1, "lr": lr_at_start}
            row["train_loss"] = train_loss[i]
            row["train_accuracy"] = train_accuracy[i]
            row.update({key: values[i] for key, values in evaluated_host.items()})
            row["seconds"] = seconds
            histories[i].append(row)

    results = []
    with torch.no_grad():
        for i, (s, model) in enumerate(zip(seeds, models, strict=True)):
            own = dict(model.named_parameters())
            for name in names:
                own[name].copy_(params[name][i])
            state = {key: value.detach().clone() for key, value in model.state_dict().items()}
            results.append(SeedResult(seed=s, state_dict=state, history=histories[i]))
    return results


def _check_supported(models: list[nn.Module], seeds: list[int]) -> None:
    for model, s in zip(models, seeds, strict=True):
        for name, module in model.named_modules():
            if isinstance(module, _REFUSED_MODULES):
                raise ValueError(
                    f"fit_seeds supports models without batch norm or dropout (MLPs); the model"
                    f" of seed {s} has {type(module).__name__} at {name or '<root>'!r}:"
                    " train it with fit instead"
                )
        buffers = [name for name, _ in model.named_buffers()]
        if buffers:
            raise ValueError(
                f"fit_seeds supports models without buffers (MLPs); the model of seed {s} has"
                f" buffers {buffers}: train it with fit instead"
            )
    shapes = [{k: (v.shape, v.dtype) for k, v in m.named_parameters()} for m in models]
    for model_shapes, s in zip(shapes[1:], seeds[1:], strict=True):
        if model_shapes != shapes[0]:
            raise ValueError(
                f"build_model({s}) gives other parameters than build_model({seeds[0]}):"
                " every seed must build the same architecture"
            )


class _VmappedModel:
    """S copies of one buffer-free architecture on (S, B, ...) inputs with stacked
    parameters: ``vmap(functional_call)`` forward, autograd backward."""

    def __init__(self, model: nn.Module) -> None:
        template = copy.deepcopy(model).to("meta")

        def one_seed(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(template, p, (x,))

        self._batched = vmap(one_seed)

    def forward(self, params, x):
        return self._batched(params, x)

    def loss_and_grads(self, params, x, y):
        for p in params.values():
            p.grad = None
        logits = self.forward(params, x)
        per_example = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none")
        losses = per_example.view(y.shape).mean(dim=1)
        losses.sum().backward()
        return losses.detach(), logits.detach()


@torch.no_grad()
def _stacked_accuracy(
    stacked: _VmappedModel,
    params: dict[str, torch.Tensor],
    data: TensorData,
    batch_size: int,
) -> torch.Tensor:
    """Each seed's accuracy on ``data`` (S,), on the device."""
    n_seeds = next(iter(params.values())).shape[0]
    correct = torch.zeros(n_seeds, device=data.x.device, dtype=torch.long)
    for i in range(0, len(data), batch_size):
        x = data.x[i : i + batch_size]
        inputs = x.unsqueeze(0).expand(n_seeds, *x.shape)
        logits = stacked.forward(params, inputs)
        correct += (logits.argmax(dim=2) == data.y[i : i + batch_size]).sum(dim=1)
    return correct.double() / len(data)
