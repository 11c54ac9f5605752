"""How far a two-layer CNN's filters have learned the fast and the slow feature.

The measure follows the USEFUL paper (Nguyen et al., NeurIPS 2024), which tracks
``max_r <w_{j,r}, j v>`` for a feature v and the filters w_{j,r} of class j in {+1, -1}
(a class -1 filter learns the feature by aligning with -v, since it enters f with a minus
sign). The two classes are symmetric in the paper; in a finite run either class's filters
may carry the feature, so the reported value is the maximum over both classes:

    align_fast = max_{j, r} <w_{j,r}, j v_e>,    align_slow = max_{j, r} <w_{j,r}, j v_d>.

Raw (unnormalised) inner products: they start at the scale of the initialisation and grow
as a feature is learned. With ``per_class=True`` the per-class maxima are added as
``align_fast_pos`` (j = +1), ``align_fast_neg`` (j = -1) and likewise for slow. The
features are read from the dataset card (``fast_feature`` and ``slow_feature``) and are
expected to have unit norm.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from simbias.train.recorders import RECORDERS, Probe

Vector = Sequence[float] | np.ndarray | torch.Tensor


def _filters(model: nn.Module) -> torch.Tensor:
    filters = getattr(model, "filters", None)
    if not isinstance(filters, torch.Tensor) or filters.dim() != 3 or filters.shape[0] != 2:
        raise ValueError("model needs a `filters` tensor of shape (2, J, d) (two_layer_cnn)")
    return filters


def _vector(name: str, values: Vector, dim: int) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    vector = torch.as_tensor(np.asarray(values, dtype=np.float64))
    if vector.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},), got {tuple(vector.shape)}")
    return vector


@torch.no_grad()
def feature_alignment(
    model: nn.Module, fast_feature: Vector, slow_feature: Vector, per_class: bool = False
) -> dict[str, float]:
    """``{"align_fast": max_{j,r} <w_{j,r}, j v_e>, "align_slow": max_{j,r} <w_{j,r}, j v_d>}``
    for a model with a ``filters`` tensor of shape (2, J, d) (class +1, class -1)."""
    filters = _filters(model).detach().to("cpu", torch.float64)  # (2, J, d)
    dim = filters.shape[2]
    result = {}
    per_class_result = {}
    for name, values in (("fast", fast_feature), ("slow", slow_feature)):
        vector = _vector(f"{name}_feature", values, dim)
        positive = float((filters[0] @ vector).max())
        negative = float((filters[1] @ -vector).max())
        result[f"align_{name}"] = max(positive, negative)
        per_class_result[f"align_{name}_pos"] = positive
        per_class_result[f"align_{name}_neg"] = negative
    if per_class:
        result.update(per_class_result)
    return result


def alignment_probe(fast_feature: Vector, slow_feature: Vector, per_class: bool = False) -> Probe:
    """A per-epoch probe for ``simbias.train.engine.fit(epoch_probes=...)`` recording
    :func:`feature_alignment` in the history (and so in the checkpoint)."""

    def probe(model: nn.Module) -> dict[str, float]:
        return feature_alignment(model, fast_feature, slow_feature, per_class)

    return probe


@RECORDERS.register(
    "feature_alignment",
    caption="Per epoch, how far a two-layer CNN's filters align with the dataset's fast and "
    "slow features (align_fast, align_slow in history.csv).",
    hook="epoch",
)
def from_card(card: dict) -> Probe:
    """The probe for a dataset whose card gives ``fast_feature`` and ``slow_feature``."""
    generator = card["generator"]
    return alignment_probe(generator["fast_feature"], generator["slow_feature"])
