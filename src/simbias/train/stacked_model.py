"""S copies of one architecture as one model: parameters and buffers stacked along a
leading seed axis, the forward ``vmap(functional_call)`` over it, autograd for the backward.

A seed's output depends on its own slice only, so the gradient of the sum of the S
per-seed losses is, slice by slice, each seed's own gradient. Buffers (BatchNorm's running
statistics) are stacked too and updated in place slice by slice, so each seed keeps its
own statistics; train and eval mode act as on one network. Dropout is refused (its masks
would come from one shared RNG stream, not from each seed's own).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from simbias.train.losses import per_example_loss

_REFUSED_MODULES = (nn.modules.dropout._DropoutNd,)


class StackedModel:
    """``models`` (one per seed, same architecture) as stacked leaves, on (S, B, ...) inputs."""

    def __init__(self, models: list[nn.Module], seeds: list[int]) -> None:
        _check_stackable(models, seeds)
        params, buffers = stack_module_state(models)
        self.params = {name: nn.Parameter(value.detach()) for name, value in params.items()}
        self.buffers = {name: value.detach().clone() for name, value in buffers.items()}
        self.training = True
        self._template = copy.deepcopy(models[0]).to("meta")

        def one_seed(p, b, x):
            return functional_call(self._template, (p, b), (x,))

        self._batched = _bmm_mlp_forward(self._template) or vmap(one_seed)

    @property
    def n_seeds(self) -> int:
        return next(iter(self.params.values())).shape[0]

    def train(self, mode: bool = True) -> StackedModel:
        self.training = mode
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (S, B, C) for inputs (S, B, ...), in this object's train/eval mode."""
        self._template.train(self.training)
        return self._batched(self.params, self.buffers, x)

    def loss_and_grads(self, x: torch.Tensor, y: torch.Tensor, loss: str = "cross_entropy"):
        """Each seed's mean training loss ``loss`` (S,; :mod:`simbias.train.losses`) and
        logits, with every seed's gradient in ``.grad`` of the stacked parameters."""
        for p in self.params.values():
            p.grad = None
        logits = self.forward(x)
        losses = per_example_loss(loss)(logits, y).mean(dim=1)
        losses.sum().backward()
        return losses.detach(), logits.detach()

    @torch.no_grad()
    def accuracy(self, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> torch.Tensor:
        """Each seed's accuracy on the same (x, y), (S,) on the device, in the current mode."""
        correct = torch.zeros(self.n_seeds, device=x.device, dtype=torch.long)
        for i in range(0, len(y), batch_size):
            chunk = x[i : i + batch_size]
            logits = self.forward(chunk.unsqueeze(0).expand(self.n_seeds, *chunk.shape))
            correct += (logits.argmax(dim=2) == y[i : i + batch_size]).sum(dim=1)
        return correct.double() / len(y)

    @contextmanager
    def buffers_frozen(self) -> Iterator[None]:
        """Running statistics exactly as on entry afterwards (SAM's second pass, as
        :func:`simbias.train.sam.bn_stats_frozen` for one network)."""
        saved = {name: value.clone() for name, value in self.buffers.items()}
        try:
            yield
        finally:
            with torch.no_grad():
                for name, value in saved.items():
                    self.buffers[name].copy_(value)

    def seed_state(self, i: int) -> dict[str, torch.Tensor]:
        """Seed ``i``'s state_dict (parameters and buffers), detached copies."""
        both = {**self.params, **self.buffers}
        return {name: value[i].detach().clone() for name, value in both.items()}

    @torch.no_grad()
    def copy_seed_into(self, i: int, module: nn.Module) -> nn.Module:
        """Seed ``i``'s weights and buffers copied into ``module`` (its own network)."""
        slices = {**self.params, **self.buffers}
        for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
            tensor.copy_(slices[name][i])
        return module

    @torch.no_grad()
    def load_seed_states(self, states: list[dict[str, torch.Tensor]]) -> None:
        """Set every seed's slice from its state_dict (as :meth:`seed_state` gives)."""
        for name, value in {**self.params, **self.buffers}.items():
            value.copy_(torch.stack([state[name] for state in states]))


def slice_optimizer_state(
    state: dict[str, Any], params: list[torch.Tensor], i: int
) -> dict[str, Any]:
    """Seed ``i``'s part of an optimizer ``state_dict`` over stacked parameters: every
    per-parameter tensor shaped like its parameter is sliced, the rest (Adam's step) kept."""
    sliced = {}
    for index, per_param in state["state"].items():
        shape = params[index].shape
        sliced[index] = {
            key: value[i].clone()
            if torch.is_tensor(value) and value.shape == shape
            else copy.deepcopy(value)
            for key, value in per_param.items()
        }
    return {"state": sliced, "param_groups": copy.deepcopy(state["param_groups"])}


def stack_optimizer_states(
    states: list[dict[str, Any]], params: list[torch.Tensor]
) -> dict[str, Any]:
    """The inverse of :func:`slice_optimizer_state` over the seeds' parts, in seed order."""
    first = states[0]
    stacked = {}
    for index, per_param in first["state"].items():
        shape = params[index].shape
        stacked[index] = {
            key: torch.stack([s["state"][index][key] for s in states])
            if torch.is_tensor(value) and (len(states),) + value.shape == shape
            else value
            for key, value in per_param.items()
        }
    return {"state": stacked, "param_groups": first["param_groups"]}


def _bmm_mlp_forward(template: nn.Module):
    """For a plain MLP (``nn.Sequential`` of Flatten, Linear and ReLU or Tanh), its batched forward
    written as one ``baddbmm`` per layer, else None. The same arithmetic as the vmapped
    ``functional_call`` (autograd still does the backward) with less dispatch per step:
    measured faster (``make bench``, seeds_mlp_*)."""
    if not isinstance(template, nn.Sequential):
        return None
    layers = []
    for name, module in template.named_children():
        if isinstance(module, nn.Flatten) and (module.start_dim, module.end_dim) == (1, -1):
            layers.append(("flatten", name))
        elif isinstance(module, nn.ReLU):
            layers.append(("relu", name))
        elif isinstance(module, nn.Tanh):
            layers.append(("tanh", name))
        elif isinstance(module, nn.Linear):
            layers.append(("linear", name))
        else:
            return None

    def forward(params, buffers, x):
        for kind, name in layers:
            if kind == "flatten":
                x = x.flatten(2)
            elif kind == "relu":
                x = x.relu()
            elif kind == "tanh":
                x = x.tanh()
            elif f"{name}.bias" in params:
                x = torch.baddbmm(
                    params[f"{name}.bias"].unsqueeze(1), x, params[f"{name}.weight"].mT
                )
            else:
                x = torch.bmm(x, params[f"{name}.weight"].mT)
        return x

    return forward


def _check_stackable(models: list[nn.Module], seeds: list[int]) -> None:
    for model, s in zip(models, seeds, strict=True):
        for name, module in model.named_modules():
            if isinstance(module, _REFUSED_MODULES):
                raise ValueError(
                    f"seeds trained at once cannot use dropout (one RNG stream for all"
                    f" seeds); the model of seed {s} has {type(module).__name__} at"
                    f" {name or '<root>'!r}: train it with fit instead"
                )
    shapes = [
        {k: (v.shape, v.dtype) for k, v in m.state_dict().items()} for m in models
    ]  # fmt: skip
    for model_shapes, s in zip(shapes[1:], seeds[1:], strict=True):
        if model_shapes != shapes[0]:
            raise ValueError(
                f"build_model({s}) gives other parameters than build_model({seeds[0]}):"
                " every seed must build the same architecture"
            )
