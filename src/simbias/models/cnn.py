"""A small convolutional network for the default-scale image datasets."""

from __future__ import annotations

from torch import nn

from simbias.models.registry import register


@register("cnn")
def build_cnn(
    input_shape: tuple[int, ...],
    n_classes: int,
    channels: tuple[int, ...] | list[int] = (16, 32, 64),
    batch_norm: bool = True,
) -> nn.Module:
    """Conv(3x3)-[BN]-ReLU-MaxPool blocks, then global average pooling and a linear head."""
    if len(input_shape) != 3:
        raise ValueError(f"cnn needs (channels, height, width) inputs, got shape {input_shape}")
    layers: list[nn.Module] = []
    in_channels = input_shape[0]
    for out_channels in channels:
        layers.append(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        in_channels = out_channels
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_channels, n_classes)]
    return nn.Sequential(*layers)
