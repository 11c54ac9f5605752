"""Model registry: MLP, small CNN, CIFAR-form ResNet-18."""

from simbias.models.registry import build_model, model_kinds

__all__ = ["build_model", "model_kinds"]
