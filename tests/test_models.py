"""Models by name: shapes, the CIFAR ResNet-18 stem, clear errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from simbias.models import build_model, model_kinds


def test_registry_knows_the_builtin_models():
    assert {"mlp", "cnn", "resnet18"} <= set(model_kinds())


@pytest.mark.parametrize(
    "kind, params, shape",
    [
        ("mlp", {"width": 8, "depth": 2}, (50,)),
        ("cnn", {"channels": [4, 8]}, (3, 32, 16)),
        ("resnet18", {}, (3, 32, 32)),
    ],
)
def test_models_map_a_batch_to_class_logits(kind, params, shape):
    model = build_model(kind, params, shape, n_classes=2)
    assert model(torch.randn(4, *shape)).shape == (4, 2)


def test_mlp_depth_counts_hidden_layers():
    model = build_model("mlp", {"width": 8, "depth": 2}, (5,), 2)
    assert sum(isinstance(m, nn.Linear) for m in model.modules()) == 3


def test_resnet18_has_the_cifar_stem():
    model = build_model("resnet18", {}, (3, 32, 32), 10)
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, nn.Identity)
    # No downsampling in the stem: layer1 sees the full 32x32 resolution.
    features = model.layer1(model.relu(model.bn1(model.conv1(torch.randn(1, 3, 32, 32)))))
    assert features.shape[-2:] == (32, 32)


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="unknown model kind 'vit'"):
        build_model("vit", {}, (3, 8, 8), 2)
