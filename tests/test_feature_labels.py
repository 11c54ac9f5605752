"""Every split of a dataset with a simple and a complex feature says, per example, which
class each feature indicates (``simple_label``, ``complex_label``): the groups of the
spurious-correlation benchmarks. Checked against the inputs themselves, not against the
permutations that made them."""

from __future__ import annotations

import numpy as np
import pytest
from test_real_data import CHECKSUMS, CIFAR_DIR, MNIST_DIR, fake_cifar, fake_mnist, table

from simbias.data.base import (
    COMPLEX_LABEL,
    NO_FEATURE,
    SIMPLE_LABEL,
    SPLITS,
    DatasetSplits,
    Split,
    get_generator,
)
from simbias.data.generators.slabs import SlabDataset
from simbias.data.store import load_split, write_dataset

SLABS = {"n_train": 300, "n_test": 200, "dim": 6}
DOMINOES = {"n_train": 60, "n_test": 50, "block": 8}
PATCHES = {"n_train": 200, "n_test": 200, "patches": 4, "dim": 8}
#: The split whose simple (complex) feature each split took from another example.
MOVED = {"s_rand": SIMPLE_LABEL, "sc_rand": COMPLEX_LABEL}


def assert_consistent_with_y(data: DatasetSplits) -> None:
    """Int64 attributes of every split; each equals y except the one feature a split moved
    across examples, which is a permutation of y's labels."""
    for name in SPLITS:
        split = data.splits[name]
        for key in (SIMPLE_LABEL, COMPLEX_LABEL):
            labels = split.attributes[key]
            assert labels.dtype == np.int64 and labels.shape == split.y.shape, (name, key)
            if name != "train" and key != MOVED.get(name):
                assert np.array_equal(labels, split.y), (name, key)
    y = data.splits["test"].y
    for name, key in MOVED.items():
        moved = data.splits[name].attributes[key]
        assert np.array_equal(np.sort(moved), np.sort(y)) and not np.array_equal(moved, y)


def label_of_block(source_x: np.ndarray, source_y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """For each block of ``x``, the label of the source example holding the same bytes."""
    labels = {bytes(block): label for block, label in zip(source_x, source_y, strict=True)}
    assert len(labels) == len(source_x), "blocks repeat: the test cannot tell sources apart"
    return np.array([labels[bytes(block)] for block in x])


def assert_blocks_say_their_labels(data: DatasetSplits, rows: int, train: Split) -> None:
    """A stacked image's top (simple) block is some test example's (for train: some example's
    of ``train``, the training split as the default makes it), whose label is the split's
    ``simple_label``; likewise the bottom (complex) block."""
    for name in SPLITS:
        source = train if name == "train" else data.splits["test"]
        split = data.splits[name]
        for key, block in ((SIMPLE_LABEL, np.s_[:, :, :rows]), (COMPLEX_LABEL, np.s_[:, :, rows:])):
            found = label_of_block(source.x[block], source.y, split.x[block])
            assert np.array_equal(found, split.attributes[key]), (name, key)


@pytest.mark.parametrize("train_simple", ["informative", "permuted"])
def test_dominoes_blocks_say_their_labels(train_simple):
    data = get_generator("dominoes", {**DOMINOES, "train_simple": train_simple}).generate(2)
    default = get_generator("dominoes", DOMINOES).generate(2)
    assert_consistent_with_y(data)
    assert_blocks_say_their_labels(data, DOMINOES["block"], default.splits["train"])
    train = data.splits["train"]
    if train_simple == "informative":
        assert np.array_equal(train.attributes[SIMPLE_LABEL], train.y)
    else:
        assert not np.array_equal(train.attributes[SIMPLE_LABEL], train.y)


def test_mnist_cifar_blocks_say_their_labels(tmp_path):
    """On fake MNIST / CIFAR files in the real formats."""
    rng = np.random.default_rng(0)
    fake_mnist(tmp_path, {"train": 90, "t10k": 60}, rng)
    fake_cifar(tmp_path, 30, rng)
    checksums = {
        "mnist": table(tmp_path / MNIST_DIR, CHECKSUMS["mnist"]),
        "cifar10": table(tmp_path / CIFAR_DIR, CHECKSUMS["cifar10"]),
    }
    generated = {}
    for train_simple in ("informative", "permuted"):
        gen = get_generator("mnist_cifar", {"root": str(tmp_path), "train_simple": train_simple})
        gen.checksums = checksums
        generated[train_simple] = gen.generate(seed=1)
    for data in generated.values():
        assert_consistent_with_y(data)
        assert_blocks_say_their_labels(data, 32, generated["informative"].splits["train"])
    permuted = generated["permuted"].splits["train"]
    assert not np.array_equal(permuted.attributes[SIMPLE_LABEL], permuted.y)


def slab_class(layout, values: np.ndarray) -> np.ndarray:
    """The class whose slabs lie nearest each value (rounding may nudge a value past its
    slab's edge, never across the 2 * margin gap)."""
    distance = {}
    for label, intervals in layout.intervals.items():
        low, high = intervals[:, 0], intervals[:, 1]
        gaps = np.maximum(low - values[..., None], 0) + np.maximum(values[..., None] - high, 0)
        distance[label] = gaps.min(axis=-1)
    return (distance[1] < distance[0]).astype(np.int64)


@pytest.mark.parametrize("simple, complex_slabs", [("linear", 5), (5, 7)])
@pytest.mark.parametrize("train_simple", ["informative", "permuted"])
def test_slab_coordinates_say_their_labels(simple, complex_slabs, train_simple):
    params = {**SLABS, "simple": simple, "complex_slabs": complex_slabs}
    gen = get_generator("slabs", {**params, "train_simple": train_simple})
    assert isinstance(gen, SlabDataset)
    data = gen.generate(seed=4)
    assert_consistent_with_y(data)
    rotation = gen.rotation_matrix(4)
    for name, split in data.splits.items():
        unrotated = split.x.astype(np.float64) @ rotation.T
        simple_class = slab_class(gen.simple_layout, unrotated[:, 0])
        assert np.array_equal(simple_class, split.attributes[SIMPLE_LABEL]), name
        complex_class = slab_class(gen.complex_layout, unrotated[:, 1:])
        # Every complex coordinate of an example came from one source example.
        complex_label = split.attributes[COMPLEX_LABEL][:, None]
        assert np.array_equal(complex_class, np.broadcast_to(complex_label, complex_class.shape))


def feature_in_patches(x: np.ndarray, feature: np.ndarray, beta: float) -> np.ndarray:
    """The class the patch carrying ``feature`` indicates in each example (its sign), or
    NO_FEATURE: noise is projected off the features, so only a feature patch projects."""
    projection = x.astype(np.float64) @ feature  # (N, patches)
    strongest = projection[np.arange(len(x)), np.abs(projection).argmax(axis=1)]
    present = np.abs(strongest) > beta / 2
    return np.where(present, (strongest > 0).astype(np.int64), NO_FEATURE)


@pytest.mark.parametrize(
    "fractions",
    [{}, {"slow_only_fraction": 0.3, "fast_only_fraction": 0.2}, {"fast_only_fraction": 1.0}],
)
def test_patches_feature_slots_say_their_labels(fractions):
    gen = get_generator("patches", {**PATCHES, **fractions})
    data = gen.generate(seed=5)
    fast, slow = gen.features(5)
    for name, split in data.splits.items():
        simple = feature_in_patches(split.x, fast, gen.params.beta_fast)
        complex_ = feature_in_patches(split.x, slow, gen.params.beta_slow)
        assert np.array_equal(simple, split.attributes[SIMPLE_LABEL]), name
        assert np.array_equal(complex_, split.attributes[COMPLEX_LABEL]), name
    if not fractions:  # every example has both features: the labels permute y's
        assert_consistent_with_y(data)
    if fractions.get("fast_only_fraction") == 1.0:  # the control: no slow feature anywhere
        assert all((s.attributes[COMPLEX_LABEL] == NO_FEATURE).all() for s in data.splits.values())


def test_the_labels_are_stored_with_the_split(tmp_path):
    data = get_generator("dominoes", DOMINOES).generate(0)
    write_dataset(tmp_path, "dominoes", data, seed=0)
    loaded = load_split(tmp_path, "s_rand")
    for key in (SIMPLE_LABEL, COMPLEX_LABEL):
        assert np.array_equal(loaded.attributes[key], data.splits["s_rand"].attributes[key])
        assert loaded.attributes[key].dtype == np.int64
