"""Models by name: ``build_model(kind, params, input_shape, n_classes)``."""

from __future__ import annotations

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


def model_kinds() -> list[str]:
    _load_builtin()
    return sorted(_BUILDERS)


def build_model(
    kind: str, params: dict[str, Any], input_shape: Sequence[int], n_classes: int
) -> nn.Module:
    """Build the model ``kind`` with ``params`` for inputs of ``input_shape`` (no batch dim)."""
    _load_builtin()
    if kind not in _BUILDERS:
        raise ValueError(f"unknown model kind {kind!r}; known kinds: {', '.join(model_kinds())}")
    return _BUILDERS[kind](input_shape=tuple(input_shape), n_classes=n_classes, **params)


def _load_builtin() -> None:
    # Imported lazily so that the registry module itself has no model dependencies.
    from simbias.models import cnn, mlp, resnet  # noqa: F401
