"""A coordinate network: a ReLU MLP on low-dimensional coordinates, optionally behind a
Gaussian Fourier-feature mapping (Tancik et al. 2020, tancik/fourier-feature-networks
Demo.ipynb ``input_mapping``):

    gamma(v) = [sin(2 pi B v), cos(2 pi B v)],    B (features x d), entries ~ N(0, scale^2),

B drawn once when the network is built (from the seeded global RNG, so per seed) and kept
fixed, a buffer, not a parameter. Without a mapping, the coordinates go in as they are:
the plain coordinate MLP whose spectral bias Rahaman et al. 2019 measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class CoordinateMlpParams(Params):
    """The coordinate_mlp kind's parameters."""

    width: int = param(256, description="Units per hidden layer (Tancik et al.: 256).", minimum=1)
    depth: int = param(
        3,
        description="Hidden ReLU layers (Tancik et al.'s network_size (4, 256): 3 hidden"
        " layers and the output layer).",
        minimum=1,
    )
    mapping: Literal["none", "gaussian"] = param(
        "none",
        description="Input mapping: none (coordinates as they are) or gaussian (Fourier"
        " features with B ~ N(0, scale^2)).",
    )
    scale: float = param(
        10.0,
        description="Standard deviation of B's entries, in cycles per unit of the coordinates"
        " (Tancik et al.: 1, 10, 100); only with mapping gaussian.",
        exclusive_minimum=0,
    )
    features: int = param(
        256,
        description="Rows of B, so 2 x features inputs (Tancik et al.'s mapping_size 256).",
        minimum=1,
    )
    output: Literal["identity", "sigmoid"] = param(
        "identity",
        description="Output nonlinearity: identity, or sigmoid for targets in [0, 1] (Tancik"
        " et al.'s image network ends in stax.Sigmoid).",
    )


class FourierFeatures(nn.Module):
    """gamma(v) = [sin(2 pi B v), cos(2 pi B v)] with a fixed Gaussian B."""

    def __init__(self, in_dim: int, features: int, scale: float) -> None:
        super().__init__()
        self.register_buffer("B", torch.randn(features, in_dim) * scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        projected = 2 * math.pi * x @ self.B.T
        return torch.cat([projected.sin(), projected.cos()], dim=-1)


@MODELS.register(
    "coordinate_mlp",
    params=CoordinateMlpParams,
    caption="ReLU MLP on coordinates, optionally behind Gaussian Fourier features (Tancik et"
    " al. 2020).",
    # A pure function of its weights and its fixed buffer B: torch.func trains seeds at once.
    seeds_at_once=True,
)
def build(params: CoordinateMlpParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """``depth`` hidden ReLU layers of ``width`` on (N, d) coordinates, ``n_classes``
    outputs (a regression dataset's output width)."""
    (in_dim,) = input_shape
    layers: list[nn.Module] = []
    if params.mapping == "gaussian":
        layers.append(FourierFeatures(in_dim, params.features, params.scale))
        in_dim = 2 * params.features
    for _ in range(params.depth):
        layers += [nn.Linear(in_dim, params.width), nn.ReLU()]
        in_dim = params.width
    layers.append(nn.Linear(in_dim, n_classes))
    if params.output == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)
