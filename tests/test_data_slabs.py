"""Statistical properties of the LMS-5 and MS-(5,7) slab generators."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simbias.data.base import SPLITS, get_generator
from simbias.data.generators.slabs import SlabDataset, SlabsParams

N = 4000
MARGIN = 0.1
#: Float32 rounding slack for geometric checks.
EPS = 1e-6
#: How far from 0.5 a destroyed feature may score on N examples (~7 standard errors).
CHANCE_TOLERANCE = 0.06


def make(rotate: bool = False, **params) -> SlabDataset:
    generator = get_generator("slabs", {"n_train": N, "n_test": N, "rotate": rotate, **params})
    assert isinstance(generator, SlabDataset)
    return generator


@pytest.fixture(scope="module")
def lms():
    generator = make(simple="linear", complex_slabs=5)
    return generator, generator.generate(seed=0)


@pytest.fixture(scope="module")
def ms57():
    generator = make(simple=5, complex_slabs=7)
    return generator, generator.generate(seed=1)


def best_threshold_accuracy(values: np.ndarray, y: np.ndarray) -> float:
    """Best accuracy of any rule "x > t -> class c" on one coordinate, over t and c."""
    order = np.argsort(values, kind="stable")
    y_sorted = y[order]
    # Accuracy of "above the first k sorted values -> 1", for k = 0..n.
    negatives_below = np.concatenate([[0], np.cumsum(y_sorted == 0)])
    positives_above = np.concatenate([[0], np.cumsum(y_sorted[::-1] == 1)])[::-1]
    accuracy = (negatives_below + positives_above) / len(y)
    return float(max(accuracy.max(), 1 - accuracy.min()))


def smallest_class_gap(values: np.ndarray, y: np.ndarray) -> float:
    """Smallest distance between a class-0 and a class-1 value on one coordinate."""
    order = np.argsort(values, kind="stable")
    values, y = values[order], y[order]
    changes = np.flatnonzero(y[1:] != y[:-1])
    return float(np.min(values[changes + 1] - values[changes]))


def interval_rule_accuracy(values: np.ndarray, y: np.ndarray, layout: dict) -> float:
    """Accuracy of predicting the class whose recorded interval holds each value."""
    predicted = np.full(len(values), -1)
    for label in (0, 1):
        for low, high in layout["intervals"][str(label)]:
            predicted[(values >= low - EPS) & (values <= high + EPS)] = label
    return float(np.mean(predicted == y))


def in_interval_fraction(values: np.ndarray, interval: list[float]) -> float:
    low, high = interval
    return float(np.mean((values >= low - EPS) & (values <= high + EPS)))


# --- LMS-5 ------------------------------------------------------------------------------


def test_lms_simple_coordinate_is_linearly_separable_with_margin(lms):
    _, data = lms
    for name in ("train", "test"):
        x, y = data.splits[name].x, data.splits[name].y
        assert np.all((x[:, 0] > 0) == (y == 1))
        assert np.abs(x[:, 0]).min() >= MARGIN - EPS
        assert np.abs(x[:, 0]).max() <= 1 + EPS


def test_lms_complex_coordinates_need_slabs_not_a_threshold(lms):
    _, data = lms
    x, y = data.splits["train"].x, data.splits["train"].y
    assert np.abs(x).max() <= 1 + EPS
    for j in range(1, x.shape[1]):
        assert smallest_class_gap(x[:, j], y) >= 2 * MARGIN - EPS
        # The best threshold is 0.6875 in population: centre + one outer negative slab.
        assert best_threshold_accuracy(x[:, j], y) < 0.73


def test_lms_values_lie_in_their_class_intervals(lms):
    _, data = lms
    x, y = data.splits["test"].x, data.splits["test"].y
    assert interval_rule_accuracy(x[:, 0], y, data.params["simple_layout"]) == 1.0
    for j in range(1, x.shape[1]):
        assert interval_rule_accuracy(x[:, j], y, data.params["complex_layout"]) == 1.0


def test_lms_class_balance_and_centre_slab_share(lms):
    _, data = lms
    x, y = data.splits["train"].x, data.splits["train"].y
    assert abs(y.mean() - 0.5) < 0.03
    slab = data.params["complex_layout"]["slab_width"]
    assert slab == pytest.approx((2 - 8 * MARGIN) / 5)
    negatives = x[y == 0, 1:]
    assert in_interval_fraction(negatives, [-slab / 2, slab / 2]) == pytest.approx(0.75, abs=0.01)
    positives = x[y == 1, 1:]
    assert in_interval_fraction(positives, [-slab / 2, slab / 2]) == 0.0


def test_lms_recorded_geometry(lms):
    _, data = lms
    params = data.params
    json.dumps(params)  # the card must be JSON-serialisable
    for key, value in dict(n_train=N, n_test=N, dim=50, simple="linear", margin=MARGIN).items():
        assert params[key] == value
    assert params["complex_slabs"] == 5 and params["rotate"] is False
    intervals = params["complex_layout"]["intervals"]
    assert np.allclose(intervals["1"], [[0.32, 0.56], [-0.56, -0.32]])
    assert np.allclose(intervals["0"], [[-0.12, 0.12], [0.76, 1.0], [-1.0, -0.76]])
    assert np.allclose(params["complex_layout"]["probabilities"]["0"], [0.75, 0.125, 0.125])
    assert np.allclose(params["simple_layout"]["intervals"]["1"], [[0.1, 1.0]])


# --- MS-(5,7) ---------------------------------------------------------------------------


def test_ms57_every_coordinate_separates_with_gaps(ms57):
    _, data = ms57
    x, y = data.splits["train"].x, data.splits["train"].y
    assert smallest_class_gap(x[:, 0], y) >= 2 * MARGIN - EPS
    assert best_threshold_accuracy(x[:, 0], y) < 0.73
    assert interval_rule_accuracy(x[:, 0], y, data.params["simple_layout"]) == 1.0
    for j in range(1, x.shape[1]):
        assert smallest_class_gap(x[:, j], y) >= 2 * MARGIN - EPS
        # Population optimum 0.625 (threshold between centre and first positive ring).
        assert best_threshold_accuracy(x[:, j], y) < 0.68
        assert interval_rule_accuracy(x[:, j], y, data.params["complex_layout"]) == 1.0


def test_ms57_seven_slab_probabilities(ms57):
    _, data = ms57
    x, y = data.splits["train"].x, data.splits["train"].y
    slab = data.params["complex_layout"]["slab_width"]
    assert slab == pytest.approx((2 - 12 * MARGIN) / 7)
    inner_low = 0.5 * slab + 2 * MARGIN
    positives = np.abs(x[y == 1, 1:])
    assert in_interval_fraction(positives, [inner_low, inner_low + slab]) == pytest.approx(
        7 / 8, abs=0.01
    )
    negatives = x[y == 0, 1:]
    assert in_interval_fraction(negatives, [-slab / 2, slab / 2]) == pytest.approx(0.5, abs=0.01)


# --- Randomised splits ------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["lms", "ms57"])
def test_s_rand_destroys_only_the_simple_coordinate(dataset, request):
    _, data = request.getfixturevalue(dataset)
    test, s_rand = data.splits["test"], data.splits["s_rand"]
    y = s_rand.y
    assert np.array_equal(y, test.y)
    simple = s_rand.x[:, 0]
    assert np.array_equal(np.sort(simple), np.sort(test.x[:, 0]))
    assert abs(best_threshold_accuracy(simple, y) - 0.5) < CHANCE_TOLERANCE
    rule = interval_rule_accuracy(simple, y, data.params["simple_layout"])
    assert abs(rule - 0.5) < CHANCE_TOLERANCE
    assert np.array_equal(s_rand.x[:, 1:], test.x[:, 1:])
    for j in range(1, s_rand.x.shape[1]):
        assert interval_rule_accuracy(s_rand.x[:, j], y, data.params["complex_layout"]) == 1.0


@pytest.mark.parametrize("dataset", ["lms", "ms57"])
def test_sc_rand_destroys_only_the_complex_coordinates(dataset, request):
    _, data = request.getfixturevalue(dataset)
    test, sc_rand = data.splits["test"], data.splits["sc_rand"]
    y = sc_rand.y
    assert np.array_equal(y, test.y)
    assert np.array_equal(sc_rand.x[:, 0], test.x[:, 0])
    assert interval_rule_accuracy(sc_rand.x[:, 0], y, data.params["simple_layout"]) == 1.0
    for j in range(1, sc_rand.x.shape[1]):
        assert np.array_equal(np.sort(sc_rand.x[:, j]), np.sort(test.x[:, j]))
        rule = interval_rule_accuracy(sc_rand.x[:, j], y, data.params["complex_layout"])
        assert abs(rule - 0.5) < CHANCE_TOLERANCE


def test_sc_rand_permutes_the_complex_block_jointly(lms):
    _, data = lms
    test_block = data.splits["test"].x[:, 1:]
    rand_block = data.splits["sc_rand"].x[:, 1:]
    # Every sc_rand complex row must be one whole test row: a joint permutation.
    source_row = {values.tobytes(): row for row, values in enumerate(test_block)}
    permutation = np.array([source_row[values.tobytes()] for values in rand_block])
    assert sorted(permutation) == list(range(len(test_block)))
    assert not np.array_equal(permutation, np.arange(len(permutation)))


# --- Rotation and determinism -----------------------------------------------------------


def test_rotation_is_orthonormal_and_applies_to_every_split():
    plain = make(rotate=False).generate(seed=3)
    rotating = make(rotate=True)
    rotated = rotating.generate(seed=3)
    q = rotating.rotation_matrix(seed=3)
    assert np.allclose(q.T @ q, np.eye(q.shape[0]), atol=1e-10)
    assert not np.allclose(q, np.eye(q.shape[0]))
    for name in SPLITS:
        x_rot, x_plain = rotated.splits[name].x, plain.splits[name].x
        assert x_rot.dtype == np.float32
        assert np.allclose(x_rot, x_plain @ q, atol=1e-5)
        assert np.allclose(x_rot @ q.T, x_plain, atol=1e-5)
        assert np.array_equal(rotated.splits[name].y, plain.splits[name].y)
    a, b = plain.splits["test"].x[:200], rotated.splits["test"].x[:200]
    distances = np.linalg.norm(a[:, None] - a[None], axis=-1)
    rotated_distances = np.linalg.norm(b[:, None] - b[None], axis=-1)
    assert np.allclose(distances, rotated_distances, atol=1e-5)


def test_same_seed_is_identical_and_seeds_differ():
    generator = make(rotate=True)
    first, again, other = generator.generate(7), generator.generate(7), generator.generate(8)
    for name in SPLITS:
        assert np.array_equal(first.splits[name].x, again.splits[name].x)
        assert np.array_equal(first.splits[name].y, again.splits[name].y)
        assert not np.array_equal(first.splits[name].x, other.splits[name].x)
    assert not np.allclose(generator.rotation_matrix(7), generator.rotation_matrix(8))


def test_registered_under_kind_slabs():
    generator = get_generator("slabs", {"n_train": 10, "n_test": 5, "dim": 3})
    assert isinstance(generator, SlabDataset)
    data = generator.generate(0)
    assert data.splits["train"].x.shape == (10, 3)
    assert data.splits["sc_rand"].x.shape == (5, 3)
    assert data.splits["train"].y.dtype == np.int64
    assert data.params["kind"] == "slabs"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"n_train": 0}, "n_train"),
        ({"n_train": 10.5}, "n_train"),
        ({"n_test": -1}, "n_test"),
        ({"dim": 1}, "dim"),
        ({"simple": "quadratic"}, "simple"),
        ({"simple": 7}, "simple"),
        ({"complex_slabs": 3}, "complex_slabs"),
        ({"margin": -0.1}, "margin"),
        ({"margin": 0.2, "complex_slabs": 7}, "margin"),
        ({"margin": "wide"}, "margin"),
        ({"rotate": "yes"}, "rotate"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_params_name_the_parameter(params, bad):
    with pytest.raises(ValueError, match=f"dataset kind slabs params.*{bad}"):
        get_generator("slabs", {"n_train": 10, "n_test": 10, **params})


@pytest.mark.parametrize(("simple", "slabs", "limit"), [("linear", 7, 1 / 6), (5, 5, 1 / 4)])
def test_margin_limit_follows_the_slab_counts(simple, slabs, limit):
    """The exact geometric limit, checked even where the schema's bound would let it by."""
    SlabsParams(n_train=10, n_test=10, simple=simple, complex_slabs=slabs, margin=0.99 * limit)
    with pytest.raises(ValueError, match="margin must be < "):
        SlabsParams(n_train=10, n_test=10, simple=simple, complex_slabs=slabs, margin=limit)
