"""Statistical properties of the digit-over-grating dominoes generator."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from simbias.data.base import SPLITS, get_generator
from simbias.data.generators.dominoes import (
    MAX_SHIFT,
    DominoesDataset,
    load_digit_templates,
    shifted,
    upscale,
)

BLOCK = 16
N_TRAIN = 2000
N_TEST = 1500
#: How far from 0.5 a destroyed feature may score on N_TEST examples (~4.6 standard errors).
CHANCE_TOLERANCE = 0.06


@pytest.fixture(scope="module")
def data():
    return get_generator(
        "dominoes", {"n_train": N_TRAIN, "n_test": N_TEST, "block": BLOCK}
    ).generate(seed=0)


def top(x: np.ndarray) -> np.ndarray:
    """Grey top (digit) block, flattened."""
    return x[:, :, :BLOCK].mean(axis=1).reshape(len(x), -1)


def bottom(x: np.ndarray) -> np.ndarray:
    """Grey bottom (grating) block, flattened."""
    return x[:, :, BLOCK:].mean(axis=1).reshape(len(x), -1)


def orientation_energy(x: np.ndarray) -> np.ndarray:
    """Log spectral power of the grey bottom block with mostly-vertical vs mostly-horizontal
    wave vectors: a quadratic feature that reads a grating's orientation."""
    grey = x[:, :, BLOCK:].mean(axis=1)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(grey)) ** 2
    freq = np.fft.fftfreq(BLOCK)
    ky, kx = np.meshgrid(freq, freq, indexing="ij")
    vertical, horizontal = np.abs(ky) > np.abs(kx), np.abs(kx) > np.abs(ky)
    return np.log(np.stack([power[:, vertical].sum(1), power[:, horizontal].sum(1)], axis=1))


def fit(features, data, strength: float = 1.0) -> LogisticRegression:
    """Logistic regression (inverse regularisation ``strength``) on the train split."""
    x, y = data.splits["train"].x, data.splits["train"].y
    return LogisticRegression(C=strength, max_iter=2000).fit(features(x), y)


def score(model: LogisticRegression, features, data, split: str) -> float:
    return model.score(features(data.splits[split].x), data.splits[split].y)


@pytest.fixture(scope="module")
def top_model(data):
    return fit(top, data)


@pytest.fixture(scope="module")
def orientation_model(data):
    return fit(orientation_energy, data)


def rows_as_multiset(blocks: np.ndarray) -> list[bytes]:
    return sorted(block.tobytes() for block in blocks)


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) squared euclidean distances between rows."""
    return (a**2).sum(1)[:, None] + (b**2).sum(1)[None] - 2 * a @ b.T


def test_shapes_types_and_range(data):
    for name, count in zip(SPLITS, (N_TRAIN, N_TEST, N_TEST, N_TEST), strict=True):
        split = data.splits[name]
        assert split.x.shape == (count, 3, 2 * BLOCK, BLOCK)
        assert split.x.dtype == np.float32 and split.y.dtype == np.int64
        assert split.x.min() >= 0 and split.x.max() <= 1
        assert set(np.unique(split.y)) == {0, 1}
    assert abs(data.splits["train"].y.mean() - 0.5) < 0.04
    # The digit is grey: all three channels equal.
    digits = data.splits["train"].x[:, :, :BLOCK]
    assert np.array_equal(digits[:, 0], digits[:, 1]) and np.array_equal(digits[:, 0], digits[:, 2])


def test_top_block_alone_is_linearly_predictive(data, top_model):
    assert score(top_model, top, data, "test") > 0.95


def test_bottom_block_needs_nonlinear_features(data, orientation_model):
    orientation_accuracy = score(orientation_model, orientation_energy, data, "test")
    # Strong regularisation is this baseline's best setting (and converges fast).
    raw_accuracy = score(fit(bottom, data, strength=0.01), bottom, data, "test")
    assert orientation_accuracy > 0.9
    assert raw_accuracy < 0.65
    assert orientation_accuracy - raw_accuracy > 0.25


def test_s_rand_destroys_only_the_top_block(data, top_model, orientation_model):
    test, s_rand = data.splits["test"], data.splits["s_rand"]
    assert np.array_equal(s_rand.y, test.y)
    assert abs(score(top_model, top, data, "s_rand") - 0.5) < CHANCE_TOLERANCE
    assert np.array_equal(s_rand.x[:, :, BLOCK:], test.x[:, :, BLOCK:])
    assert score(orientation_model, orientation_energy, data, "s_rand") > 0.9
    assert rows_as_multiset(s_rand.x[:, :, :BLOCK]) == rows_as_multiset(test.x[:, :, :BLOCK])


def test_sc_rand_destroys_only_the_bottom_block(data, top_model, orientation_model):
    test, sc_rand = data.splits["test"], data.splits["sc_rand"]
    assert np.array_equal(sc_rand.y, test.y)
    assert abs(score(orientation_model, orientation_energy, data, "sc_rand") - 0.5) < 0.06
    assert np.array_equal(sc_rand.x[:, :, :BLOCK], test.x[:, :, :BLOCK])
    assert score(top_model, top, data, "sc_rand") > 0.95
    assert rows_as_multiset(sc_rand.x[:, :, BLOCK:]) == rows_as_multiset(test.x[:, :, BLOCK:])


def test_digit_pools_are_disjoint_and_stratified(data):
    pools = data.params["digit_pool"]
    train, test = set(pools["train"]), set(pools["test"])
    _, labels, indices = load_digit_templates()
    assert not train & test
    assert train | test == set(indices.tolist())
    label_of = dict(zip(indices.tolist(), labels.tolist(), strict=True))
    for label in (0, 1):
        in_train = sum(label_of[i] == label for i in train)
        in_class = sum(label_of[i] == label for i in train | test)
        assert in_train / in_class == pytest.approx(0.7, abs=0.01)


def test_each_split_draws_digits_only_from_its_pool():
    """Without pixel noise every top block is a shifted template; find which one."""
    params = {"n_train": 300, "n_test": 300, "block": BLOCK, "digit_noise": 0.0}
    data = get_generator("dominoes", params).generate(4)
    images, _, indices = load_digit_templates()
    templates = upscale(images, BLOCK)
    steps = range(-MAX_SHIFT, MAX_SHIFT + 1)
    offsets = [(dy, dx) for dy in steps for dx in steps]
    candidates = np.concatenate(
        [shifted(templates, np.tile(offset, (len(templates), 1))) for offset in offsets]
    ).reshape(len(offsets) * len(templates), -1)
    source = np.tile(indices, len(offsets))
    for split, pool in (("train", "train"), ("test", "test"), ("s_rand", "test")):
        blocks = data.splits[split].x[:, 0, :BLOCK].reshape(300, -1).astype(np.float64)
        distances = squared_distances(blocks, candidates)
        assert distances.min(axis=1).max() < 1e-8
        matched = set(source[distances.argmin(axis=1)].tolist())
        assert matched <= set(data.params["digit_pool"][pool])


def test_params_are_recorded(data):
    params = data.params
    json.dumps(params)
    assert params["kind"] == "dominoes"
    for key, value in dict(n_train=N_TRAIN, n_test=N_TEST, block=BLOCK, noise=0.25).items():
        assert params[key] == value
    assert params["digit_noise"] == 0.05
    assert params["image_shape"] == [3, 2 * BLOCK, BLOCK]


def test_same_seed_is_identical_and_seeds_differ():
    generator = get_generator("dominoes", {"n_train": 50, "n_test": 40, "block": 8})
    assert isinstance(generator, DominoesDataset)
    first, again, other = generator.generate(1), generator.generate(1), generator.generate(2)
    assert first.splits["train"].x.shape == (50, 3, 16, 8)
    for name in SPLITS:
        assert np.array_equal(first.splits[name].x, again.splits[name].x)
        assert np.array_equal(first.splits[name].y, again.splits[name].y)
        assert not np.array_equal(first.splits[name].x, other.splits[name].x)


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"n_train": 0}, "n_train"),
        ({"n_test": 2.5}, "n_test"),
        ({"block": 4}, "block"),
        ({"block": True}, "block"),
        ({"noise": -0.1}, "noise"),
        ({"contrast": 0}, "contrast"),
        ({"contrast": 0.6}, "contrast"),
        ({"digit_noise": "low"}, "digit_noise"),
        ({"angle_margin": 45}, "angle_margin"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_params_name_the_parameter(params, bad):
    with pytest.raises(ValueError, match=f"dataset kind dominoes params.*{bad}"):
        get_generator("dominoes", {"n_train": 10, "n_test": 10, **params})
