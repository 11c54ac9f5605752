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


def test_mlp_activation_is_relu_by_default_or_tanh():
    relu = build_model("mlp", {"width": 8, "depth": 2}, (5,), 2)
    tanh = build_model("mlp", {"width": 8, "depth": 2, "activation": "tanh"}, (5,), 2)
    assert sum(isinstance(m, nn.ReLU) for m in relu.modules()) == 2
    assert sum(isinstance(m, nn.Tanh) for m in tanh.modules()) == 2
    assert not any(isinstance(m, nn.Tanh) for m in relu.modules())
    # The bounded activation: hidden units in (-1, 1) whatever the input.
    hidden = tanh[:3](1e3 * torch.randn(4, 5))
    assert hidden.abs().max() <= 1


def test_stacked_tanh_mlp_gives_each_seeds_own_outputs():
    from simbias.train.stacked_model import StackedModel

    models = []
    for s in range(3):
        torch.manual_seed(s)
        models.append(build_model("mlp", {"width": 8, "depth": 2, "activation": "tanh"}, (5,), 2))
    x = torch.randn(3, 4, 5)
    out = StackedModel(models, [0, 1, 2]).forward(x)
    for i, model in enumerate(models):
        torch.testing.assert_close(out[i], model(x[i]), rtol=1e-5, atol=1e-6)


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
