"""A small convolutional network for the default-scale image datasets."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class CnnParams(Params):
    """The cnn kind's parameters."""

    channels: list[int] = param(
        [16, 32, 64],
        description="Output channels of each conv-pool block.",
        min_items=1,
        items={"minimum": 1},
    )
    batch_norm: bool = param(True, description="BatchNorm after each conv.")


@MODELS.register(
    "cnn",
    params=CnnParams,
    caption="Conv(3x3)-[BN]-ReLU-MaxPool blocks, global average pooling, a linear head.",
    # Its seeds can train at once (simbias.train.stacked_model, BatchNorm per seed; tested
    # equal to one seed alone), but on CPU that is slower: the plan does not choose it.
    seeds_at_once="trained at once it measured 0.7x of one seed after another on CPU"
    " (make bench, seeds_cnn_*): its steps are arithmetic and memory traffic, not overhead",
)
def build(params: CnnParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """Conv(3x3)-[BN]-ReLU-MaxPool blocks, then global average pooling and a linear head."""
    if len(input_shape) != 3:
        raise ValueError(f"cnn needs (channels, height, width) inputs, got shape {input_shape}")
    layers: list[nn.Module] = []
    in_channels = input_shape[0]
    for out_channels in params.channels:
        layers.append(
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=not params.batch_norm)
        )
        if params.batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        in_channels = out_channels
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_channels, n_classes)]
    return nn.Sequential(*layers)
