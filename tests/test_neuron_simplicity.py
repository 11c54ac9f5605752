"""Neuron simplicity: smoothness of filters and activation maps, top activating inputs,
feature level, input diversity, distance from initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import train_cue_conflict_run
from torch import nn

from simbias.analysis.neuron_simplicity import (
    activation_layers,
    channel_activations,
    conv_layers,
    effective_input_types,
    first_layer_filters,
    high_frequency_energy,
    init_distance,
    initial_model,
    input_diversity,
    input_type_counts,
    layer_activations,
    low_level_fraction,
    map_total_variation,
    model_simplicity,
    neuron_simplicity,
    preferred_concepts,
    top_k_indices,
    total_variation,
)
from simbias.analysis.probe_pool import load_probe_pool
from simbias.models import build_model
from simbias.train.run import load_trained_model


def gaussian(size: int, sigma: float) -> torch.Tensor:
    grid = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    return torch.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) / (2 * sigma**2))


def same_norm_noise(reference: torch.Tensor, seed: int = 0) -> torch.Tensor:
    noise = torch.randn(reference.shape, generator=torch.Generator().manual_seed(seed))
    return noise * reference.norm() / noise.norm()


@pytest.mark.parametrize("size", [3, 5, 16])
def test_smooth_filters_score_below_noise_of_the_same_norm(size):
    blob = gaussian(size, sigma=size / 3)[None, None].repeat(8, 3, 1, 1)
    constant = torch.ones_like(blob)
    noise = torch.stack([same_norm_noise(blob[0], seed) for seed in range(8)])
    for smooth in (blob, constant):
        assert (total_variation(smooth) < total_variation(noise)).all()
        # Filters: DC kept, zero-padded spectrum (as for first-layer filters).
        filter_hf = {"remove_mean": False, "pad_to": 16}
        assert (
            high_frequency_energy(smooth, **filter_hf) < high_frequency_energy(noise, **filter_hf)
        ).all()
    if size == 16:  # images: mean removed, native resolution
        assert (high_frequency_energy(blob) < high_frequency_energy(noise)).all()


def test_measures_on_known_images_and_scale_invariance():
    stripes = (torch.arange(4) % 2).float().expand(1, 1, 4, 4)  # vertical 0/1 stripes
    # Horizontal differences all 1, vertical all 0: mean 0.5, over a mean value of 0.5.
    assert total_variation(stripes).item() == pytest.approx(1.0)
    assert total_variation(torch.zeros(1, 3, 4, 4)).item() == 0.0
    checker = ((torch.arange(8)[:, None] + torch.arange(8)[None]) % 2).float()[None, None]
    assert high_frequency_energy(checker).item() == pytest.approx(1.0)  # all at Nyquist
    wave = torch.cos(2 * math.pi * torch.arange(16) / 16).expand(1, 2, 16, 16)
    assert high_frequency_energy(wave).item() == pytest.approx(0.0, abs=1e-6)
    assert high_frequency_energy(torch.full((1, 3, 8, 8), 0.7)).item() == 0.0
    # Cutoff in units of Nyquist (0.5 cycles/pixel): 0.3 cycles/pixel is above 0.5 of it,
    # 0.2 cycles/pixel below.
    for cycles, expected in ((6, 1.0), (4, 0.0)):
        wave = torch.cos(2 * math.pi * cycles * torch.arange(20) / 20).expand(1, 1, 20, 20)
        assert high_frequency_energy(wave, cutoff=0.5).item() == pytest.approx(expected, abs=1e-6)
    x = torch.rand(5, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(total_variation(3.5 * x), total_variation(x))
    torch.testing.assert_close(total_variation(-x), total_variation(x))
    torch.testing.assert_close(high_frequency_energy(3.5 * x), high_frequency_energy(x))


def test_conv_layers_and_first_layer_filters():
    model = build_model("cnn", {"channels": [4, 8]}, (3, 16, 16), 4)
    assert [type(m) for _, m in conv_layers(model)] == [nn.Conv2d, nn.Conv2d]
    assert first_layer_filters(model).shape == (4, 3, 3, 3)
    with pytest.raises(ValueError, match="Conv2d"):
        first_layer_filters(nn.Linear(2, 2))


def detector_net() -> nn.Sequential:
    """Channel 0 matches a 3x3 plus (+1 on it, -1 off it); channel 1 sums its window."""
    conv = nn.Conv2d(1, 2, 3, bias=False)
    plus = torch.tensor([[0.0, 1, 0], [1, 1, 1], [0, 1, 0]])
    with torch.no_grad():
        conv.weight[0, 0] = 2 * plus - 1
        conv.weight[1, 0] = 1.0
    return nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))


def test_a_pattern_detector_ranks_its_pattern_first():
    generator = torch.Generator().manual_seed(0)
    x = 0.3 * torch.rand(60, 1, 10, 10, generator=generator)
    planted = [3, 17, 25, 41, 58]
    for i, index in enumerate(planted):  # the plus at a different place in each image
        r, c = 1 + i, 6 - i
        x[index, 0, r, c - 1 : c + 2] = 1.0
        x[index, 0, r - 1 : r + 2, c] = 1.0
    model = detector_net()
    model(x[:1])  # materialise the lazy head
    model.train()
    conv = model[0]
    acts = channel_activations(model, conv, x, batch_size=7)
    assert acts.shape == (60, 2)
    torch.testing.assert_close(acts, conv(x).amax(dim=(2, 3)))  # max over space
    assert sorted(top_k_indices(acts, 5)[:, 0].tolist()) == planted
    # The hooks are gone and the model's mode is restored.
    assert model.training and not conv._forward_hooks
    both = layer_activations(model, [conv, conv], x)
    torch.testing.assert_close(both[1], acts)


def test_input_types_count_distinct_concept_class_pairs():
    input_type = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3])
    # Channel 0: four images of type 0; channel 1: two of type 1, two of type 3;
    # channel 2: types 0, 1, 2, 3 once each.
    top = np.array([[0, 4, 0], [1, 5, 4], [2, 8, 6], [3, 9, 8]])
    np.testing.assert_array_equal(input_type_counts(input_type, top), [1, 2, 4])
    np.testing.assert_allclose(effective_input_types(input_type, top), [1.0, 2.0, 4.0])


def test_preferred_concept_and_low_level_fraction():
    concept = np.array(["shape"] * 4 + ["texture"] * 4 + ["colour"] * 4 + ["object"] * 4)
    acts = torch.zeros(16, 3)
    acts[:4, 0] = 2.0  # channel 0: shape detector
    acts[8:12, 1] = 2.0  # channel 1: colour detector
    acts[4:8, 2] = 1.0  # channel 2: texture detector, whatever objects do
    acts[12:, 2] = 5.0
    np.testing.assert_array_equal(preferred_concepts(acts, concept), ["shape", "colour", "texture"])
    assert low_level_fraction(acts, concept) == pytest.approx(2 / 3)
    assert math.isnan(low_level_fraction(acts, np.array(["object"] * 16)))


def test_map_total_variation_is_tv_obs_sum_of_neighbour_differences():
    stripes = (torch.arange(4) % 2).float().expand(1, 1, 4, 4)  # vertical 0/1 stripes
    # 4 rows x 3 horizontal steps of 1, no vertical change: 12, unnormalised.
    assert map_total_variation(stripes).item() == 12.0
    assert map_total_variation(2 * stripes).item() == 24.0
    maps = torch.rand(3, 5, 6, 6, generator=torch.Generator().manual_seed(0))
    assert map_total_variation(maps).shape == (3, 5)
    assert (map_total_variation(torch.ones(2, 2, 6, 6)) == 0).all()


def test_a_blurring_first_layer_has_smoother_maps_on_noise():
    def net(kernel: torch.Tensor) -> nn.Sequential:
        conv = nn.Conv2d(1, 1, 5, padding=2, bias=False)
        with torch.no_grad():
            conv.weight[0, 0] = kernel
        return nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))

    blur = gaussian(5, sigma=1.5)
    sharp = torch.zeros(5, 5)
    sharp[2, 2] = blur.sum()  # the same gain on a flat image
    x = torch.rand(40, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    labels = np.arange(40) % 2
    tv = {}
    for name, kernel in (("blur", blur), ("sharp", sharp)):
        model = net(kernel)
        model(x[:1])
        tv[name] = model_simplicity(model, x, labels, None, top_k=5, noise_std=0.1)
    assert tv["blur"]["layer0_act_tv_clean"] < 0.5 * tv["sharp"]["layer0_act_tv_clean"]
    assert tv["blur"]["layer0_act_tv_noisy"] < 0.5 * tv["sharp"]["layer0_act_tv_noisy"]
    assert tv["sharp"]["layer0_act_tv_noisy"] > tv["sharp"]["layer0_act_tv_clean"]


def test_activation_layers_are_the_relus_after_the_convs():
    model = build_model("cnn", {"channels": [4, 8], "first_kernel_size": 7}, (3, 16, 16), 4)
    layers = activation_layers(model)
    assert [type(m) for _, m in layers] == [nn.ReLU, nn.ReLU]
    assert first_layer_filters(model).shape == (4, 3, 7, 7)
    with pytest.raises(ValueError, match="no ReLU"):
        activation_layers(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten()))
    resnet = build_model("resnet18", {}, (3, 16, 16), 4)
    assert [name for name, _ in activation_layers(resnet)] == [
        "relu", "layer1", "layer2", "layer3", "layer4"
    ]  # fmt: skip


def test_input_diversity_counts_classes_of_active_channels_only():
    labels = np.repeat(np.arange(4), 5)  # 20 images, 4 classes
    acts = torch.zeros(20, 3)
    acts[:5, 0] = torch.arange(1.0, 6.0)  # channel 0: class 0's five images
    acts[::5, 1] = torch.arange(1.0, 5.0)  # channel 1: one image of each class
    acts[0, 2] = 1.0  # channel 2: one image, the rest ties at 0 (silent)
    diversity = input_diversity(acts, labels, top_k=4)
    assert diversity["active_channels"] == pytest.approx(2 / 3)
    assert diversity["input_types"] == pytest.approx((1 + 4) / 2)
    assert diversity["effective_input_types"] == pytest.approx((1 + 4) / 2)
    silent = input_diversity(torch.zeros(20, 2), labels, top_k=4)
    assert math.isnan(silent["input_types"]) and silent["active_channels"] == 0.0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("cue_conflict")
    run_dir, data_dir, _ = train_cue_conflict_run(
        root, epochs=2, n_classes=3, n_train=150, n_test=60, n_probe=60
    )
    return run_dir, data_dir


def test_probe_pool_labels_every_split(run):
    _, data_dir = run
    pool = load_probe_pool(data_dir)
    assert len(pool.x) == 5 * 60
    assert {c: int(np.sum(pool.concept == c)) for c in np.unique(pool.concept)} == {
        "object": 60,
        "conflict": 60,
        "shape": 60,
        "texture": 60,
        "colour": 60,
    }
    # 3 classes for each single-class concept, 3 x 2 (shape, texture) pairs for conflict.
    assert len(np.unique(pool.input_type)) == 4 * 3 + 3 * 2


def test_neuron_simplicity_of_a_run(run):
    run_dir, data_dir = run
    metrics = neuron_simplicity(run_dir, data_dir, top_k=10, noise_std=0.08)
    measures = [
        "act_tv_clean",
        "act_tv_noisy",
        "input_types",
        "effective_input_types",
        "active_channels",
        "low_level_fraction",
    ]
    expected = {"filter_tv", "filter_high_freq", "first_layer_init_distance"}
    expected |= {f"{prefix}_{m}" for prefix in ("layer0", "layer1", "mean") for m in measures}
    assert set(metrics) == expected
    assert all(isinstance(v, float) and math.isfinite(v) for v in metrics.values())
    for i in (0, 1):
        # 3 classes in the test split: at most 3 distinct among any channel's top 10.
        assert 1 <= metrics[f"layer{i}_input_types"] <= 3
        assert 1 <= metrics[f"layer{i}_effective_input_types"] <= metrics[f"layer{i}_input_types"]
        assert 0 <= metrics[f"layer{i}_low_level_fraction"] <= 1
        assert metrics[f"layer{i}_act_tv_clean"] > 0
    assert metrics["mean_input_types"] == pytest.approx(
        (metrics["layer0_input_types"] + metrics["layer1_input_types"]) / 2
    )
    assert metrics["first_layer_init_distance"] > 0
    # With one top input per channel, every channel has exactly one input type.
    single = neuron_simplicity(run_dir, data_dir, top_k=1, noise_std=0.08)
    assert single["mean_input_types"] == 1.0 and single["mean_effective_input_types"] == 1.0
    # The noise is drawn from the run's seed: the measure is reproducible.
    assert single["mean_act_tv_noisy"] == metrics["mean_act_tv_noisy"]


def test_initial_model_is_the_runs_initialisation(run):
    run_dir, data_dir = run
    first, again = initial_model(run_dir, data_dir), initial_model(run_dir, data_dir)
    assert init_distance(first, again) == 0.0
    trained = load_trained_model(run_dir, data_dir)
    assert init_distance(trained, first) > 0.05
    # Training moved the weights away from this initialisation, not from another seed's.
    other = build_model("cnn", {"channels": [4, 8]}, (3, 16, 16), 3)
    assert init_distance(trained, first) < init_distance(trained, other)
