"""``train_simple: permuted``, the control of extreme simplicity bias: the simple feature is
permuted across training examples, so it carries no label signal in training, while the
complex feature and every other split stay as the default makes them."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
from scipy.stats import chi2
from test_real_data import CHECKSUMS, CIFAR_DIR, MNIST_DIR, fake_cifar, fake_mnist, table

from simbias.data.base import DatasetSplits, get_generator
from simbias.data.generators.mnist_cifar import MnistCifarDominoes

SLABS = {"n_train": 4000, "n_test": 200, "dim": 6}
DOMINOES = {"n_train": 1000, "n_test": 100, "block": 8}
#: Quantile bins of a scalar feature.
BINS = 10
#: The sha256 (first 16 hex digits, of x bytes then y bytes) of each split that the
#: generators made before ``train_simple`` existed: the default is unchanged.
BEFORE = {
    "lms": {
        "train": "e7d842f5eafbfeca",
        "test": "abca164102eae853",
        "s_rand": "bf70e838f17de17c",
        "sc_rand": "1686ce6a6b81d721",
    },
    "ms57": {
        "train": "8bfa00b43528431e",
        "test": "837e1a8b3dcc3962",
        "s_rand": "f150c0989fc4441b",
        "sc_rand": "6f85995474ab992f",
    },
    "dominoes": {
        "train": "19064bf33dfaf431",
        "test": "e6a52315dbe0a722",
        "s_rand": "40cc97d4466fc765",
        "sc_rand": "d71036f8d2e28707",
    },
}
BEFORE_PARAMS = {
    "lms": ("slabs", {"n_train": 64, "n_test": 32, "dim": 6}),
    "ms57": ("slabs", {"n_train": 64, "n_test": 32, "dim": 6, "simple": 5, "complex_slabs": 7}),
    "dominoes": ("dominoes", {"n_train": 40, "n_test": 20, "block": 8}),
}


def digests(data: DatasetSplits) -> dict[str, str]:
    out = {}
    for name, split in data.splits.items():
        h = hashlib.sha256(np.ascontiguousarray(split.x).tobytes())
        h.update(np.ascontiguousarray(split.y).tobytes())
        out[name] = h.hexdigest()[:16]
    return out


def mutual_information_bits(feature: np.ndarray, y: np.ndarray) -> float:
    """Plug-in mutual information (bits) between a scalar feature, cut into BINS quantile
    bins, and the label."""
    edges = np.quantile(feature, np.linspace(0, 1, BINS + 1)[1:-1])
    bins = np.searchsorted(edges, feature, side="right")
    joint = np.zeros((BINS, int(y.max()) + 1))
    np.add.at(joint, (bins, y), 1)
    joint /= joint.sum()
    outer = joint.sum(1, keepdims=True) * joint.sum(0, keepdims=True)
    nonzero = joint > 0
    return float((joint[nonzero] * np.log2(joint[nonzero] / outer[nonzero])).sum())


def independence_bound(n: int, classes: int = 2) -> float:
    """The plug-in MI that a feature independent of the label exceeds with probability
    1e-4 (G-test: 2 n ln 2 MI ~ chi2((BINS - 1)(classes - 1)))."""
    return chi2.ppf(1 - 1e-4, (BINS - 1) * (classes - 1)) / (2 * n * math.log(2))


def assert_rows_permuted(permuted: np.ndarray, original: np.ndarray) -> None:
    """The same rows (as bytes), in another order."""
    assert sorted(map(bytes, permuted)) == sorted(map(bytes, original))
    assert not np.array_equal(permuted, original)


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_the_default_is_what_it_was(name):
    kind, params = BEFORE_PARAMS[name]
    assert digests(get_generator(kind, params).generate(seed=3)) == BEFORE[name]
    explicit = get_generator(kind, {**params, "train_simple": "informative"}).generate(seed=3)
    assert digests(explicit) == BEFORE[name]


@pytest.mark.parametrize("simple", ["linear", 5])
def test_permuted_slabs_carry_no_simple_signal_in_train(simple):
    params = {**SLABS, "simple": simple, "complex_slabs": 5 if simple == "linear" else 7}
    default_gen = get_generator("slabs", params)
    permuted_gen = get_generator("slabs", {**params, "train_simple": "permuted"})
    default, permuted = default_gen.generate(seed=0), permuted_gen.generate(seed=0)
    rotation = default_gen.rotation_matrix(0)
    assert np.array_equal(rotation, permuted_gen.rotation_matrix(0))
    for split in ("test", "s_rand", "sc_rand"):
        assert np.array_equal(permuted.splits[split].x, default.splits[split].x)
        assert np.array_equal(permuted.splits[split].y, default.splits[split].y)
    y = permuted.splits["train"].y
    assert np.array_equal(y, default.splits["train"].y)
    # Undo the rotation: coordinate 0 is the simple one, 1.. the complex ones.
    before = default.splits["train"].x.astype(np.float64) @ rotation.T
    after = permuted.splits["train"].x.astype(np.float64) @ rotation.T
    np.testing.assert_allclose(after[:, 1:], before[:, 1:], atol=1e-5)
    # The same simple values (up to float32 rounding through the rotation), reordered.
    np.testing.assert_allclose(np.sort(after[:, 0]), np.sort(before[:, 0]), atol=1e-5)
    assert not np.allclose(after[:, 0], before[:, 0], atol=1e-5)
    bound = independence_bound(len(y))
    assert bound < 0.01
    assert mutual_information_bits(before[:, 0], y) > 0.5  # default: the simple feature
    assert mutual_information_bits(after[:, 0], y) < bound  # permuted: independent
    for coordinate in (1, 2):  # the complex coordinates still carry the label
        assert mutual_information_bits(after[:, coordinate], y) > 0.3
    card = permuted.params
    assert card["train_simple"] == "permuted"
    assert "before rotation" in card["train_simple_permutation"]
    assert default.params["train_simple"] == "informative"
    assert "train_simple_permutation" not in default.params


def test_permuted_dominoes_carry_no_digit_signal_in_train():
    default = get_generator("dominoes", DOMINOES).generate(seed=0)
    permuted = get_generator("dominoes", {**DOMINOES, "train_simple": "permuted"}).generate(0)
    block = DOMINOES["block"]
    for split in ("test", "s_rand", "sc_rand"):
        assert np.array_equal(permuted.splits[split].x, default.splits[split].x)
    before, after = default.splits["train"], permuted.splits["train"]
    assert np.array_equal(after.y, before.y)
    # The grating (complex, bottom) blocks are the default's, example by example.
    assert np.array_equal(after.x[:, :, block:], before.x[:, :, block:])
    assert_rows_permuted(after.x[:, :, :block], before.x[:, :, :block])
    # The digit as one number: the digit block projected on the difference of the
    # default's class-mean digit blocks (a fixed direction, not fitted to the permuted set).
    top_before, top_after = before.x[:, :, :block], after.x[:, :, :block]
    direction = top_before[before.y == 1].mean(0) - top_before[before.y == 0].mean(0)
    digit_before = (top_before * direction).sum(axis=(1, 2, 3))
    digit_after = (top_after * direction).sum(axis=(1, 2, 3))
    bound = independence_bound(len(after.y))
    assert bound < 0.05
    assert mutual_information_bits(digit_before, before.y) > 0.3
    assert mutual_information_bits(digit_after, after.y) < bound
    # Orientation of the grating: row-to-row minus column-to-column variation.
    bottom = after.x[:, :, block:]
    rows = np.square(np.diff(bottom, axis=2)).mean(axis=(1, 2, 3))
    cols = np.square(np.diff(bottom, axis=3)).mean(axis=(1, 2, 3))
    assert mutual_information_bits(rows - cols, after.y) > 0.3
    assert permuted.params["train_simple"] == "permuted"
    assert "train_simple_permutation" in permuted.params


def test_permuted_mnist_cifar_carries_no_digit_signal_in_train(tmp_path):
    """On fake MNIST / CIFAR files (label-1 MNIST digits are bright, label-0 dark)."""
    rng = np.random.default_rng(0)
    fake_mnist(tmp_path, {"train": 900, "t10k": 60}, rng)
    fake_cifar(tmp_path, 60, rng)
    checksums = {
        "mnist": table(tmp_path / MNIST_DIR, CHECKSUMS["mnist"]),
        "cifar10": table(tmp_path / CIFAR_DIR, CHECKSUMS["cifar10"]),
    }

    def generate(**params) -> DatasetSplits:
        gen = get_generator("mnist_cifar", {"root": str(tmp_path), **params})
        assert isinstance(gen, MnistCifarDominoes)
        gen.checksums = checksums
        return gen.generate(seed=1)

    default, permuted = generate(), generate(train_simple="permuted")
    for split in ("test", "s_rand", "sc_rand"):
        assert np.array_equal(permuted.splits[split].x, default.splits[split].x)
    before, after = default.splits["train"], permuted.splits["train"]
    assert np.array_equal(after.y, before.y) and len(after.y) == 200
    assert np.array_equal(after.x[:, :, 32:], before.x[:, :, 32:])
    assert_rows_permuted(after.x[:, :, :32], before.x[:, :, :32])
    brightness_before = before.x[:, 0, 2:30, 2:30].mean(axis=(1, 2))
    brightness_after = after.x[:, 0, 2:30, 2:30].mean(axis=(1, 2))
    assert mutual_information_bits(brightness_before, before.y) > 0.9
    assert mutual_information_bits(brightness_after, after.y) < independence_bound(len(after.y))
    assert permuted.params["train_simple"] == "permuted"


def test_an_unknown_train_simple_is_refused_by_name():
    with pytest.raises(ValueError, match="slabs params/train_simple: 'shuffled' is not one of"):
        get_generator("slabs", {**SLABS, "train_simple": "shuffled"})
    with pytest.raises(ValueError, match="dominoes params/train_simple"):
        get_generator("dominoes", {**DOMINOES, "train_simple": True})
