"""Fully connected ReLU network, the model of the Pitfalls paper's slab experiments."""

from __future__ import annotations

import math

from torch import nn

from simbias.models.registry import register


@register("mlp")
def build_mlp(
    input_shape: tuple[int, ...], n_classes: int, width: int = 100, depth: int = 1
) -> nn.Module:
    """``depth`` hidden layers of ``width`` ReLU units; inputs are flattened."""
    if width < 1 or depth < 0:
        raise ValueError(f"mlp needs width >= 1 and depth >= 0, got width={width}, depth={depth}")
    layers: list[nn.Module] = [nn.Flatten()]
    fan_in = math.prod(input_shape)
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    layers.append(nn.Linear(fan_in, n_classes))
    return nn.Sequential(*layers)
