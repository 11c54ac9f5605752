"""Models by name: ``build_model(kind, params, input_shape, n_classes)``.

Each kind is a module of :mod:`simbias.models.architectures` registering its builder
``build(params, input_shape, n_classes)`` with ``MODELS`` and the dataclass of its
parameters; only the module of the kind asked for is imported (torchvision is slow to
import and only ResNet-18 needs it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from simbias.components import Catalogue
from simbias.params import Params

MODELS = Catalogue("model kind", "simbias.models.architectures")


def model_kinds() -> list[str]:
    return MODELS.names()


def build_model(
    kind: str, params: dict[str, Any], input_shape: Sequence[int], n_classes: int
) -> nn.Module:
    """Build the model ``kind`` with ``params`` (checked against the kind's parameters; a
    kind without any takes none) for inputs of ``input_shape`` (no batch dimension)."""
    entry = MODELS.get(kind)
    checked = (entry.params or Params).from_dict(params, f"model kind {kind} params")
    return entry.obj(checked, tuple(input_shape), n_classes)
