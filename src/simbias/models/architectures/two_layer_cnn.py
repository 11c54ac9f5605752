"""The two-layer CNN of the USEFUL paper's theory (Nguyen et al., NeurIPS 2024).

For an input ``x = (x_1, ..., x_P)`` of P patches in R^d,

    f(x) = sum_r sum_p act(<w_{+1,r}, x_p>) - sum_r sum_p act(<w_{-1,r}, x_p>)

with ``act(z) = z^3`` (the paper's cubic activation) and J filters per class. The second
layer is fixed (+1 for class +1 filters, -1 for class -1 filters). The logits are
``[-f(x)/2, f(x)/2]`` for labels (0, 1) = (-1, +1), so cross-entropy on them equals the
logistic loss ``log(1 + exp(-s f(x)))`` with ``s = 2y - 1``, and the predicted class is
the sign of f.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from simbias.models.registry import MODELS
from simbias.params import Params, param

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "cubic": lambda z: z**3,
    "relu": torch.relu,
}


class TwoLayerCNN(nn.Module):
    """Shared filters over patches; ``filters[0]`` are the class +1 filters w_{+1,r} and
    ``filters[1]`` the class -1 filters w_{-1,r}, shape (2, J, d)."""

    def __init__(
        self, patches: int, dim: int, filters: int, init_std: float, activation: str
    ) -> None:
        super().__init__()
        self.patches = patches
        self.dim = dim
        self.activation = activation
        self._act = ACTIVATIONS[activation]
        self.filters = nn.Parameter(torch.randn(2, filters, dim) * init_std)

    def margin(self, x: torch.Tensor) -> torch.Tensor:
        """f(x) of shape (N,) for x of shape (N, P, d)."""
        pre = torch.einsum("npd,cjd->ncjp", x, self.filters)
        per_class = self._act(pre).sum(dim=(2, 3))  # (N, 2)
        return per_class[:, 0] - per_class[:, 1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.margin(x)
        return torch.stack([-f / 2, f / 2], dim=1)


@dataclass(frozen=True, kw_only=True)
class TwoLayerCnnParams(Params):
    """The two_layer_cnn kind's parameters."""

    filters: int = param(5, description="Filters per class.", minimum=1)
    init_std: float = param(0.01, description="Std of the initial filters.", exclusive_minimum=0)
    activation: Literal["cubic", "relu"] = param(
        "cubic", description="Activation (the theory uses cubic)."
    )


@MODELS.register(
    "two_layer_cnn",
    params=TwoLayerCnnParams,
    caption="The USEFUL paper's two-layer CNN: shared filters over patches, fixed second layer.",
    # One parameter tensor, no buffers: torch.func trains its seeds at once.
    seeds_at_once=True,
)
def build(params: TwoLayerCnnParams, input_shape: tuple[int, ...], n_classes: int) -> nn.Module:
    """The paper's CNN for inputs of shape (P, d): ``filters`` (J) filters per class drawn
    from N(0, init_std^2), activation "cubic" (the paper's) or "relu"."""
    if n_classes != 2:
        raise ValueError(
            f"two_layer_cnn is a binary classifier: n_classes must be 2, got {n_classes}"
        )
    if len(input_shape) != 2:
        raise ValueError(
            f"two_layer_cnn needs inputs of shape (patches, dim), got input_shape={input_shape}"
        )
    patches, dim = (int(s) for s in input_shape)
    return TwoLayerCNN(patches, dim, params.filters, float(params.init_std), params.activation)
