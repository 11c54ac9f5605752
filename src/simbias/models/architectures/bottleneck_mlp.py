"""Bachmann, Anagnostidis & Hofmann 2023's MLP (Scaling MLPs: A Tale of Inductive Bias;
gregorbachmann/scaling_mlps ``models/networks.py`` ``BottleneckMLP``, cited [S] below).

Flattened pixels go through a linear layer to ``width`` units, then ``blocks`` residual
blocks ``x + W2 GELU(W1 LayerNorm(x))`` with ``W1: width -> expansion * width`` and
``W2: expansion * width -> width`` (an inverted bottleneck, as a transformer's MLP), then a
linear layer to the classes. [S] names a shape ``B_{blocks}-Wi_{width}`` (``models/
__init__.py`` get_architecture; expansion 4 unless a third ``-E_`` field says otherwise).
No normalisation after the last block: [S]'s forward goes from the last residual sum
straight to ``linear_out``.

Parameters (every Linear has a bias, LayerNorm a weight and a bias), with d inputs,
w = width, e = expansion, k classes, b blocks::

    (d + 1) w  +  b [2 w + (w + 1) e w + (e w + 1) w]  +  (w + 1) k
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class BottleneckMlpParams(Params):
    """The bottleneck_mlp kind's parameters ([S]'s ``B_{blocks}-Wi_{width}``)."""

    blocks: int = param(
        6,
        description="Residual blocks ([S]'s B_; its default architecture B_6-Wi_1024).",
        minimum=0,
    )
    width: int = param(
        1024, description="Units of the residual stream ([S]'s Wi_, 'thin').", minimum=1
    )
    expansion: int = param(
        4, description="Hidden units of a block per residual unit ([S]'s expansion_factor 4).",
        minimum=1,
    )  # fmt: skip


class BottleneckBlock(nn.Module):
    """``x + W2 GELU(W1 LayerNorm(x))``: [S]'s pre-norm residual block."""

    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.expand = nn.Linear(width, hidden)
        self.act = nn.GELU()
        self.project = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.project(self.act(self.expand(self.norm(x))))


class BottleneckMlp(nn.Module):
    """Linear in, ``blocks`` bottleneck blocks, linear out; inputs flattened."""

    def __init__(self, params: BottleneckMlpParams, n_inputs: int, n_classes: int) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_in = nn.Linear(n_inputs, params.width)
        hidden = params.expansion * params.width
        self.blocks = nn.Sequential(
            *(BottleneckBlock(params.width, hidden) for _ in range(params.blocks))
        )
        self.linear_out = nn.Linear(params.width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_out(self.blocks(self.linear_in(self.flatten(x))))


def parameter_count(params: BottleneckMlpParams, n_inputs: int, n_classes: int) -> int:
    """The closed form of the module docstring (what the tests check the module against)."""
    w, e, b = params.width, params.expansion, params.blocks
    block = 2 * w + (w + 1) * e * w + (e * w + 1) * w
    return (n_inputs + 1) * w + b * block + (w + 1) * n_classes


def shape_name(params: BottleneckMlpParams) -> str:
    """[S]'s name of the shape, ``B_6-Wi_1024`` (``-E_`` only off the default expansion)."""
    name = f"B_{params.blocks}-Wi_{params.width}"
    return name if params.expansion == 4 else f"{name}-E_{params.expansion}"


@MODELS.register(
    "bottleneck_mlp",
    params=BottleneckMlpParams,
    caption="Bachmann et al. 2023's MLP B_{blocks}-Wi_{width}: linear in, pre-LayerNorm"
    " residual blocks x + W2 GELU(W1 LN(x)) of expansion 4, linear out (inputs flattened).",
    # LayerNorm and GELU are pure functions of the weights: torch.func trains the seeds at once.
    seeds_at_once=True,
)
def build(params: BottleneckMlpParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """[S]'s BottleneckMLP for inputs of ``input_shape`` (flattened: d = prod(shape))."""
    return BottleneckMlp(params, math.prod(input_shape), n_classes)
