"""ResNet-18 in its CIFAR form: stride-1 stem and no max-pool (He et al. 2016, sec. 4.2
style, as used by the Pitfalls and USEFUL papers' code). The stem's kernel is 3x3 unless
set: Chen, Agarwal and Nguyen 2020 study the smoothness of a 7x7 stem (ResNet-50's)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn
from torchvision.models import resnet18

from simbias.models.architectures import require_odd_kernel
from simbias.models.registry import MODELS
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class ResNet18Params(Params):
    """The resnet18 kind's parameters."""

    stem_kernel_size: int = param(
        3, description="Side of the stem conv's (odd, square) kernel.", minimum=1, maximum=11
    )

    def __post_init__(self) -> None:
        require_odd_kernel("stem_kernel_size", self.stem_kernel_size)


@MODELS.register(
    "resnet18",
    provides=("conv_layers",),
    params=ResNet18Params,
    caption="ResNet-18, CIFAR form: stride-1 stem (3x3 unless stem_kernel_size), no max-pool.",
)
def build(params: ResNet18Params, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    if len(input_shape) != 3:
        raise ValueError(f"resnet18 needs (channels, height, width) inputs, got {input_shape}")
    model = resnet18(num_classes=n_classes)
    # Small images: keep the resolution in the stem instead of a stride-2 conv + max-pool.
    k = params.stem_kernel_size
    model.conv1 = nn.Conv2d(input_shape[0], 64, kernel_size=k, stride=1, padding=k // 2, bias=False)
    model.maxpool = nn.Identity()
    return model
