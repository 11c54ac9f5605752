"""Fully connected network: ReLU, the model of the Pitfalls paper's slab experiments, or
tanh, Cohen et al. 2021's ``fc-tanh`` (locuslab/edge-of-stability src/archs.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class MlpParams(Params):
    """The mlp kind's parameters."""

    width: int = param(100, description="Units per hidden layer.", minimum=1)
    depth: int = param(1, description="Hidden layers.", minimum=0)
    activation: Literal["relu", "tanh"] = param(
        "relu", description="Hidden units' nonlinearity (tanh: Cohen et al. 2021's fc-tanh)."
    )


ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh}


@MODELS.register(
    "mlp",
    params=MlpParams,
    caption="Fully connected ReLU or tanh network (inputs flattened).",
    # Pure function of its weights: torch.func trains its seeds at once.
    seeds_at_once=True,
)
def build(params: MlpParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """``depth`` hidden layers of ``width`` units (ReLU or tanh); inputs are flattened."""
    layers: list[nn.Module] = [nn.Flatten()]
    fan_in = math.prod(input_shape)
    for _ in range(params.depth):
        layers += [nn.Linear(fan_in, params.width), ACTIVATIONS[params.activation]()]
        fan_in = params.width
    layers.append(nn.Linear(fan_in, n_classes))
    return nn.Sequential(*layers)
