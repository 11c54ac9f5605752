"""A small convolutional network for the default-scale image datasets."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from simbias.models.architectures import require_odd_kernel
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
    # ImageNet CNNs open with a large kernel (AlexNet 11x11, ResNet-50 7x7), whose
    # smoothness Chen, Agarwal and Nguyen 2020 study; 3 keeps the small CNN's 3x3 stem.
    first_kernel_size: int = param(
        3, description="Side of the first conv's (odd, square) kernel.", minimum=1, maximum=15
    )

    def __post_init__(self) -> None:
        require_odd_kernel("first_kernel_size", self.first_kernel_size)


@MODELS.register(
    "cnn",
    provides=("conv_layers",),
    params=CnnParams,
    caption="Conv-[BN]-ReLU-MaxPool blocks (3x3 kernels, the first one first_kernel_size),"
    " global average pooling, a linear head.",
    # Its seeds can train at once (simbias.train.stacked_model, BatchNorm per seed; tested
    # equal to one seed alone), but on CPU that is slower: the plan does not choose it.
    seeds_at_once="trained at once it measured 0.7x of one seed after another on CPU"
    " (make bench, seeds_cnn_*): its steps are arithmetic and memory traffic, not overhead",
)
def build(params: CnnParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """Conv-[BN]-ReLU-MaxPool blocks (the first conv's kernel ``first_kernel_size``, the
    others 3x3, all same-padded), then global average pooling and a linear head."""
    if len(input_shape) != 3:
        raise ValueError(f"cnn needs (channels, height, width) inputs, got shape {input_shape}")
    layers: list[nn.Module] = []
    in_channels = input_shape[0]
    for index, out_channels in enumerate(params.channels):
        kernel = params.first_kernel_size if index == 0 else 3
        layers.append(
            nn.Conv2d(
                in_channels, out_channels, kernel, padding=kernel // 2, bias=not params.batch_norm
            )
        )
        if params.batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        in_channels = out_channels
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_channels, n_classes)]
    return nn.Sequential(*layers)
