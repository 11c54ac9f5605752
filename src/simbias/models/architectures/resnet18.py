"""ResNet-18 in its CIFAR form: 3x3 stride-1 stem and no max-pool (He et al. 2016, sec. 4.2
style, as used by the Pitfalls and USEFUL papers' code)."""

from __future__ import annotations

from torch import nn
from torchvision.models import resnet18

from simbias.models.registry import MODELS
from simbias.params import Params


@MODELS.register(
    "resnet18", caption="ResNet-18, CIFAR form: 3x3 stride-1 stem, no max-pool (no parameters)."
)
def build(params: Params, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    if len(input_shape) != 3:
        raise ValueError(f"resnet18 needs (channels, height, width) inputs, got {input_shape}")
    model = resnet18(num_classes=n_classes)
    # Small images: keep the resolution in the stem instead of 7x7/2 conv + max-pool.
    model.conv1 = nn.Conv2d(input_shape[0], 64, kernel_size=3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model
