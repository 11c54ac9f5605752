"""Per epoch, the training compute of one epoch as Bachmann et al. 2023 count it
(gregorbachmann/scaling_mlps ``utils/get_compute.py``): 3 x the forward FLOPs of one
example x the training-set size, one forward and a backward of twice its cost per example.

Their FLOPs come from fvcore's ``FlopCountAnalysis``, which counts one per multiply-add;
here torch's own ``torch.utils.flop_counter.FlopCounterMode`` counts the same matrix
products (no fvcore needed) at two per multiply-add, so its count is halved. Both count
matrix products and convolutions only (fvcore's LayerNorm handle adds ~5 per element, under
1% of a block's 8 w^2 multiply-adds; neither counts GELU, ReLU or additions).

``history.csv`` gets ``forward_flops`` (one example) and ``epoch_compute`` (3 x
forward_flops x training examples); the compute after epoch e is e x epoch_compute.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from simbias.train.recorders import RECORDERS, Probe

#: A forward and a backward (two products per forward product) per example: get_compute.py.
PASSES_PER_EXAMPLE = 3


@torch.no_grad()
def forward_flops(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of ``model``'s forward on one example of ``input_shape`` (fvcore's
    unit: FlopCounterMode's count halved), in eval mode, on the model's device."""
    parameter = next(model.parameters())
    example = torch.zeros(1, *input_shape, device=parameter.device, dtype=parameter.dtype)
    was_training = model.training
    model.eval()
    try:
        with FlopCounterMode(display=False) as counter:
            model(example)
    finally:
        model.train(was_training)
    return counter.get_total_flops() // 2


def compute_probe(input_shape: tuple[int, ...], n_train: int) -> Probe:
    """The probe for ``n_train`` training examples of ``input_shape``; the architecture
    does not change during training, so the count is taken once."""
    counted: dict[str, int] = {}

    def probe(model: nn.Module) -> dict[str, float]:
        if "flops" not in counted:
            counted["flops"] = forward_flops(model, input_shape)
        flops = counted["flops"]
        return {
            "forward_flops": float(flops),
            "epoch_compute": float(PASSES_PER_EXAMPLE * flops * n_train),
        }

    return probe


@RECORDERS.register(
    "training_compute",
    caption="Per epoch, Bachmann et al. 2023's training compute of an epoch: 3 x forward"
    " FLOPs (multiply-adds) of one example x training examples (forward_flops, epoch_compute"
    " in history.csv).",
    hook="epoch",
)
def from_card(card: dict) -> Probe:
    """The probe for a dataset card (its training split's shape)."""
    shape = card["files"]["train.npz"]["x_shape"]
    return compute_probe(tuple(shape[1:]), int(shape[0]))
