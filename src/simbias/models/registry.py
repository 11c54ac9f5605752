"""Models by name: ``build_model(kind, params, input_shape, n_classes)``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from torch import nn

ModelBuilder = Callable[..., nn.Module]
_BUILDERS: dict[str, ModelBuilder] = {}


def register(kind: str) -> Callable[[ModelBuilder], ModelBuilder]:
    def decorate(builder: ModelBuilder) -> ModelBuilder:
        _BUILDERS[kind] = builder
        return builder

    return decorate


#: Built-in kinds and the module defining each, imported on first use (torchvision is slow
#: to import and only ResNet needs it).
_BUILTIN_MODULES = {
    "mlp": "simbias.models.mlp",
    "cnn": "simbias.models.cnn",
    "resnet18": "simbias.models.resnet",
    "two_layer_cnn": "simbias.models.two_layer_cnn",
}


def model_kinds() -> list[str]:
    return sorted(set(_BUILDERS) | set(_BUILTIN_MODULES))


def build_model(
    kind: str, params: dict[str, Any], input_shape: Sequence[int], n_classes: int
) -> nn.Module:
    """Build the model ``kind`` with ``params`` for inputs of ``input_shape`` (no batch dim)."""
    if kind not in _BUILDERS and kind in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[kind])
    if kind not in _BUILDERS:
        raise ValueError(f"unknown model kind {kind!r}; known kinds: {', '.join(model_kinds())}")
    return _BUILDERS[kind](input_shape=tuple(input_shape), n_classes=n_classes, **params)
