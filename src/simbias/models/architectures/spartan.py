"""SpaRTAN (Pay et al. 2025, "SpaRTAN: Spatial Reinforcement Token-based Aggregation Network
for Visual Recognition", IJCNN; repo henry-pay/SpaRTAN, ``src/model/spartan.py``).

A convolutional network built against simplicity bias: its blocks mix space at two
receptive fields at once and mix channels through a "wave" of the dominant channel. Read
from their code (our own implementation, module for module):

* stem: two 3x3 stride-2 convs (3 -> init_dim/2 -> init_dim), each BatchNorm + GELU;
* stages of blocks, a 2x2 stride-2 conv + BatchNorm + SiLU between two stages; the first
  half of the stages use dense convolutions, the second half depthwise/grouped ones;
* block: ``x += DropPath(gamma1 * SMixer(GN(x)))``, ``x += DropPath(gamma2 * CMixer(GN(x)))``
  with GroupNorm(1, C) (their ``LayerNorm(use_group=True)``) and layer scales initialised
  to 1e-5;
* SMixer (multi-order spatial mixer): a 1x1 conv to C/2; ``x + g (x - GAP(x))`` with a
  per-channel gain g initialised to 1e-5; a 3x3 dilation-1 branch (BN, GELU) and a branch
  of two 3x3 dilation-2 convs (the first bare, the second BN + GELU), each followed by
  squeeze-excitation; both concatenated and projected back to C by a 1x1 conv;
* CMixer (wave-based channel mixer): per pixel the argmax channel k of the input;
  theta = GELU(1x1 conv to rC), w = 1x1 conv to rC; ``feat = w theta + w_k theta_k`` (the
  dominant channel's product broadcast over all channels); consecutive channel pairs
  (2j, 2j + 1) read as a complex number and multiplied by a learned complex weight; a 3x3
  conv + BN + GELU (depthwise in the dense stages, r channels per group in the others);
  squeeze-excitation to C/4; a 1x1 conv back to C;
* head: global average pooling, a linear layer. Their initialisation: convs
  N(0, 2 / fan_out), linear truncated normal (std 0.02), biases 0, the complex weights
  standard normal.

The parameters' defaults are their shipped ImageNet configuration (``src/config/model/
spartan.yaml``: 3.8M parameters with a 1000-class head); ``stem_strides`` lets small
images keep their resolution (CIFAR ResNets drop the stem's stride the same way).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param

#: Their BatchNorm and GroupNorm epsilon (``partial(nn.BatchNorm2d, eps=1e-6)``).
NORM_EPS = 1e-6
#: Initial value of the layer scales and of the SMixer's contrast gain.
SCALE_INIT = 1e-5


@dataclass(frozen=True, kw_only=True)
class SpartanParams(Params):
    """The spartan kind's parameters; the defaults are their shipped configuration."""

    init_dim: int = param(
        32,
        description="Width of the stem's output and of the first stage (theirs: 32). A"
        " multiple of 8 (the SMixer halves it and squeezes the half by 4).",
        minimum=8,
    )
    depths: list[int] = param(
        [3, 3, 12, 2],
        description="Blocks per stage (theirs: [3, 3, 12, 2]). The first len // 2 stages"
        " use dense convolutions, the rest depthwise or grouped ones.",
        min_items=2,
        items={"minimum": 1},
    )
    expand_ratios: list[int] = param(
        [4, 4, 2, 2],
        description="The CMixer's channel expansion r per stage (theirs: [4, 4, 2, 2]);"
        " at least 2.",
        min_items=2,
        items={"minimum": 2},
    )
    dims: list[int] = param(
        [64, 128, 256],
        description="Width of each stage after the first (theirs: [64, 128, 256]), one"
        " fewer than depths; multiples of 8.",
        min_items=1,
        items={"minimum": 8},
    )
    stem_strides: list[int] = param(
        [2, 2],
        description="Strides of the stem's two 3x3 convs (theirs: [2, 2], 224 -> 56 pixels);"
        " [1, 1] keeps a 16x16 or 32x32 image's resolution.",
        min_items=2,
        max_items=2,
        items={"minimum": 1, "maximum": 2},
    )
    drop_path: float = param(
        0.1,
        description="Stochastic depth of the last block (theirs: dropout 0.1); block i of n"
        " drops its branches with probability drop_path * i / n.",
        minimum=0,
        exclusive_maximum=1,
    )

    def __post_init__(self) -> None:
        if len(self.expand_ratios) != len(self.depths):
            raise ValueError(
                f"expand_ratios needs one ratio per stage ({len(self.depths)}), got"
                f" {self.expand_ratios}"
            )
        if len(self.dims) != len(self.depths) - 1:
            raise ValueError(
                f"dims needs one width per stage after the first ({len(self.depths) - 1}),"
                f" got {self.dims}"
            )
        for width in (self.init_dim, *self.dims):
            if width % 8:
                raise ValueError(f"stage widths must be multiples of 8, got {width}")

    @property
    def widths(self) -> list[int]:
        return [self.init_dim, *self.dims]


def conv_bn_act(
    in_dim: int,
    out_dim: int,
    kernel: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
    norm: bool = True,
    act: type[nn.Module] | None = nn.GELU,
) -> nn.Sequential:
    """A bias-free conv, then BatchNorm and an activation unless switched off."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_dim, out_dim, kernel, stride, padding, dilation, groups, bias=False)
    ]
    if norm:
        layers.append(nn.BatchNorm2d(out_dim, eps=NORM_EPS))
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Channel gates from the global average: 1x1 conv to ``squeeze``, ReLU, 1x1 conv back,
    sigmoid."""

    def __init__(self, dim: int, squeeze: int) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(dim, squeeze, 1)
        self.expand = nn.Conv2d(squeeze, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.expand(F.relu(self.reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(gate)


class SpatialMixer(nn.Module):
    """SMixer: a near (3x3) and a far (two dilated 3x3) view of C/2 channels, each gated by
    squeeze-excitation, concatenated and projected back to C."""

    def __init__(self, dim: int, late: bool) -> None:
        super().__init__()
        half = dim // 2
        groups = half if late else 1  # dense in the first half of the stages, then depthwise
        self.project_in = nn.Conv2d(dim, half, 1)
        # Their gamma: the deviation from the spatial mean amplified per channel.
        self.contrast = nn.Parameter(torch.full((1, half, 1, 1), SCALE_INIT))
        self.near = conv_bn_act(half, half, 3, padding=1, groups=groups)
        self.far = nn.Sequential(
            conv_bn_act(half, half, 3, padding=2, dilation=2, groups=groups, norm=False, act=None),
            conv_bn_act(half, half, 3, padding=2, dilation=2, groups=groups),
        )
        self.near_gate = SqueezeExcite(half, half // 4)
        self.far_gate = SqueezeExcite(half, half // 4)
        self.project_out = nn.Conv2d(dim, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.project_in(x)
        x = x + self.contrast * (x - x.mean((2, 3), keepdim=True))
        mixed = torch.cat([self.near_gate(self.near(x)), self.far_gate(self.far(x))], dim=1)
        return self.project_out(mixed)


class ChannelMixer(nn.Module):
    """CMixer: every channel's ``w theta`` plus the dominant channel's, channel pairs turned
    by a learned complex weight, a 3x3 (depthwise or r-per-group) conv, squeeze-excitation,
    and a 1x1 conv back to C."""

    def __init__(self, dim: int, expand_ratio: int, late: bool) -> None:
        super().__init__()
        neck = dim * expand_ratio
        self.theta = nn.Conv2d(dim, neck, 1)
        self.weight = nn.Conv2d(dim, neck, 1)
        # (real, imaginary) of one complex weight per channel pair; standard normal, as theirs.
        self.complex_weight = nn.Parameter(torch.randn(neck // 2, 2))
        # Theirs: depthwise in the dense stages, r channels per group in the later ones.
        self.conv = conv_bn_act(neck, neck, 3, padding=1, groups=dim if late else neck)
        self.gate = SqueezeExcite(neck, dim // 4)
        self.project_out = nn.Conv2d(neck, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The dominant input channel per pixel, an index into the first C of rC channels.
        dominant = x.argmax(dim=1, keepdim=True)
        theta = F.gelu(self.theta(x))
        weight = self.weight(x)
        feat = weight * theta + weight.gather(1, dominant) * theta.gather(1, dominant)
        return self.project_out(self.gate(self.conv(self._rotate_pairs(feat))))

    def _rotate_pairs(self, feat: torch.Tensor) -> torch.Tensor:
        """Channels (2j, 2j + 1) as a + ib, times c_j + i d_j (real arithmetic: the same
        product as theirs through view_as_complex, and no complex autograd)."""
        batch, channels, height, width = feat.shape
        pairs = feat.float().reshape(batch, channels // 2, 2, height, width)
        real, imag = pairs[:, :, 0], pairs[:, :, 1]
        c = self.complex_weight[:, 0].view(1, -1, 1, 1).float()
        d = self.complex_weight[:, 1].view(1, -1, 1, 1).float()
        turned = torch.stack([real * c - imag * d, real * d + imag * c], dim=2)
        return turned.reshape(batch, channels, height, width).to(feat.dtype)


class DropPath(nn.Module):
    """Stochastic depth per example (torchvision's StochasticDepth, mode "row")."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0.0:
            return x
        keep = 1.0 - self.rate
        mask = torch.empty((x.shape[0],) + (1,) * (x.ndim - 1), device=x.device).bernoulli_(keep)
        return x * mask.to(x.dtype) / keep


class SpartanBlock(nn.Module):
    """Pre-norm residual block: the spatial mixer, then the channel mixer, each layer-scaled."""

    def __init__(self, dim: int, expand_ratio: int, late: bool, drop_path: float) -> None:
        super().__init__()
        self.norm_spatial = nn.GroupNorm(1, dim, eps=NORM_EPS)
        self.spatial = SpatialMixer(dim, late)
        self.scale_spatial = nn.Parameter(torch.full((1, dim, 1, 1), SCALE_INIT))
        self.norm_channel = nn.GroupNorm(1, dim, eps=NORM_EPS)
        self.channel = ChannelMixer(dim, expand_ratio, late)
        self.scale_channel = nn.Parameter(torch.full((1, dim, 1, 1), SCALE_INIT))
        self.drop = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.scale_spatial * self.spatial(self.norm_spatial(x)))
        return x + self.drop(self.scale_channel * self.channel(self.norm_channel(x)))


class Spartan(nn.Module):
    def __init__(self, params: SpartanParams, in_channels: int, n_classes: int) -> None:
        super().__init__()
        widths = params.widths
        first, second = params.stem_strides
        self.stem = nn.Sequential(
            conv_bn_act(in_channels, widths[0] // 2, 3, stride=first, padding=1),
            conv_bn_act(widths[0] // 2, widths[0], 3, stride=second, padding=1),
        )
        n_blocks = sum(params.depths)
        dense_stages = len(params.depths) // 2
        layers: list[nn.Module] = []
        index = 0
        stages = zip(params.depths, params.expand_ratios, strict=True)
        for stage, (depth, ratio) in enumerate(stages):
            for _ in range(depth):
                rate = params.drop_path * index / n_blocks
                layers.append(SpartanBlock(widths[stage], ratio, stage >= dense_stages, rate))
                index += 1
            if stage + 1 < len(widths):
                layers.append(
                    conv_bn_act(widths[stage], widths[stage + 1], 2, stride=2, act=nn.SiLU)
                )
        self.stages = nn.Sequential(*layers)
        self.head = nn.Linear(widths[-1], n_classes)
        self.apply(_initialise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.stem(x))
        return self.head(x.mean((2, 3)))


def _initialise(module: nn.Module) -> None:
    """Their ``_init_weights``: convs N(0, 2 / fan_out) with fan_out = k*k*out/groups,
    linear layers truncated normal (std 0.02, cut at +-2), biases 0, norms' scales 1."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        fan_out = kh * kw * module.out_channels // module.groups
        nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / fan_out))
    elif isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02, a=-2.0, b=2.0)
    elif isinstance(module, nn.BatchNorm2d | nn.GroupNorm):
        nn.init.ones_(module.weight)
    if getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)


@MODELS.register(
    "spartan",
    params=SpartanParams,
    caption="SpaRTAN (Pay et al. 2025): a conv stem, stages of blocks with a multi-order"
    " spatial mixer (3x3 and dilated branches with squeeze-excitation) and a wave-based"
    " channel mixer (the dominant channel broadcast, channel pairs times learned complex"
    " weights), GroupNorm pre-norm and layer scale; dense convs in the first half of the"
    " stages, depthwise in the rest.",
)
def build(params: SpartanParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    if len(input_shape) != 3:
        raise ValueError(f"spartan needs (channels, height, width) inputs, got {input_shape}")
    sides = list(input_shape[1:])
    for stride in params.stem_strides:  # 3x3, padding 1
        sides = [(side - 1) // stride + 1 for side in sides]
    for _ in params.dims:  # each downsampling is a 2x2 stride-2 conv
        if min(sides) < 2:
            raise ValueError(
                f"spartan: a {input_shape[1]}x{input_shape[2]} image is {sides[0]}x{sides[1]}"
                f" before one of its {len(params.dims)} downsamplings; lower stem_strides"
            )
        sides = [side // 2 for side in sides]
    return Spartan(params, input_shape[0], n_classes)
