"""Fully connected ReLU network, the model of the Pitfalls paper's slab experiments."""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class MlpParams(Params):
    """The mlp kind's parameters."""

    width: int = param(100, description="Units per hidden layer.", minimum=1)
    depth: int = param(1, description="Hidden layers.", minimum=0)


@MODELS.register(
    "mlp",
    params=MlpParams,
    caption="Fully connected ReLU network (inputs flattened).",
    # Pure function of its weights: torch.func trains its seeds at once.
    seeds_at_once=True,
)
def build(params: MlpParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """``depth`` hidden layers of ``width`` ReLU units; inputs are flattened."""
    layers: list[nn.Module] = [nn.Flatten()]
    fan_in = math.prod(input_shape)
    for _ in range(params.depth):
        layers += [nn.Linear(fan_in, params.width), nn.ReLU()]
        fan_in = params.width
    layers.append(nn.Linear(fan_in, n_classes))
    return nn.Sequential(*layers)
