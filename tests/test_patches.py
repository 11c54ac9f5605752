"""The USEFUL patches data model, its two-layer CNN and the feature-alignment measure."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from simbias.data.base import SPLITS, get_generator
from simbias.data.generators.patches import PatchesDataset
from simbias.models import build_model, model_kinds
from simbias.train.engine import TensorData, fit
from simbias.train.recorders.feature_alignment import alignment_probe, feature_alignment
from simbias.train.spec import TrainSpec

N = 2000
P, D = 4, 32
#: How far from 0.5 a destroyed feature may score on N examples (~5 standard errors).
CHANCE_TOLERANCE = 0.06
EPS = 1e-5


@pytest.fixture(scope="module")
def data():
    return patches(n_train=N, n_test=N, patches=P, dim=D).generate(seed=3)


def patches(**params) -> PatchesDataset:
    generator = get_generator("patches", params)
    assert isinstance(generator, PatchesDataset)
    return generator


def features(ds) -> tuple[np.ndarray, np.ndarray]:
    return np.array(ds.params["fast_feature"]), np.array(ds.params["slow_feature"])


def projections(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """<x_p, v> for every example and patch: shape (N, P)."""
    return x.astype(np.float64) @ v


def sign_accuracy(score: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((score > 0) == (y == 1)))


# --- data -----------------------------------------------------------------------------


def test_registered_and_shapes(data):
    assert patches(n_train=5, n_test=5).params.patches == P
    for name in SPLITS:
        split = data.splits[name]
        assert split.x.shape == (N, P, D) and split.x.dtype == np.float32
        assert split.y.dtype == np.int64 and set(np.unique(split.y)) == {0, 1}


def test_features_are_orthonormal_and_in_the_card(data):
    fast, slow = features(data)
    assert fast.shape == slow.shape == (D,)
    assert np.linalg.norm(fast) == pytest.approx(1) and np.linalg.norm(slow) == pytest.approx(1)
    assert abs(fast @ slow) < 1e-12
    json.dumps(data.params)  # plain JSON for the dataset card
    assert data.params["kind"] == "patches" and data.params["beta_fast"] == 1.0


@pytest.mark.parametrize("split", ["train", "test"])
def test_one_fast_and_one_slow_patch_at_distinct_positions(data, split):
    fast, slow = features(data)
    x, y = data.splits[split].x, data.splits[split].y
    sign = 2 * y - 1
    on_fast, on_slow = projections(x, fast), projections(x, slow)
    # Noise is orthogonal to both features: a patch projects to 0 unless it is the feature.
    fast_patch = np.abs(on_fast) > EPS
    slow_patch = np.abs(on_slow) > EPS
    assert (fast_patch.sum(1) == 1).all() and (slow_patch.sum(1) == 1).all()
    assert not (fast_patch & slow_patch).any()
    np.testing.assert_allclose(on_fast[fast_patch], sign * 1.0, atol=EPS)
    np.testing.assert_allclose(on_slow[slow_patch], sign * 0.4, atol=EPS)
    # The feature patch is exactly s * beta * v; positions are spread over all patches.
    rows = np.arange(len(x))
    np.testing.assert_allclose(x[rows, fast_patch.argmax(1)], sign[:, None] * fast[None], atol=EPS)
    assert set(np.unique(fast_patch.argmax(1))) == set(range(P))
    assert set(np.unique(slow_patch.argmax(1))) == set(range(P))


def test_noise_patches_have_the_requested_scale(data):
    fast, slow = features(data)
    x = data.splits["train"].x.astype(np.float64)
    feature = (np.abs(projections(x, fast)) > EPS) | (np.abs(projections(x, slow)) > EPS)
    noise = x[~feature]
    # Per-coordinate std 0.1 on the (D - 2)-dimensional complement of the features.
    assert np.mean(np.sum(noise**2, axis=1)) == pytest.approx(0.01 * (D - 2), rel=0.05)


def test_label_is_the_sign_of_either_feature(data):
    fast, slow = features(data)
    x, y = data.splits["test"].x, data.splits["test"].y
    assert sign_accuracy(projections(x, fast).sum(1), y) == 1.0
    assert sign_accuracy(projections(x, slow).sum(1), y) == 1.0


def test_s_rand_and_sc_rand_each_destroy_one_feature(data):
    fast, slow = features(data)
    y = data.splits["test"].y
    s_rand, sc_rand = data.splits["s_rand"].x, data.splits["sc_rand"].x
    assert abs(sign_accuracy(projections(s_rand, fast).sum(1), y) - 0.5) < CHANCE_TOLERANCE
    assert sign_accuracy(projections(s_rand, slow).sum(1), y) == 1.0
    assert sign_accuracy(projections(sc_rand, fast).sum(1), y) == 1.0
    assert abs(sign_accuracy(projections(sc_rand, slow).sum(1), y) - 0.5) < CHANCE_TOLERANCE
    # Only the feature's slot changes; the rest of each example is the test example.
    test = data.splits["test"].x
    changed = np.any(s_rand != test, axis=2)
    assert changed.sum(1).max() == 1
    assert np.all(np.abs(projections(test, fast))[changed] > EPS)


def test_generation_is_deterministic_in_the_seed():
    gen = patches(n_train=50, n_test=50)
    a, b, c = gen.generate(7), gen.generate(7), gen.generate(8)
    for name in SPLITS:
        np.testing.assert_array_equal(a.splits[name].x, b.splits[name].x)
        np.testing.assert_array_equal(a.splits[name].y, b.splits[name].y)
    assert a.params == b.params
    assert not np.array_equal(a.splits["train"].x, c.splits["train"].x)
    assert a.params["fast_feature"] != c.params["fast_feature"]


def test_single_feature_fractions():
    gen = patches(n_train=N, n_test=10, slow_only_fraction=0.3, fast_only_fraction=0.2)
    ds = gen.generate(0)
    fast, slow = features(ds)
    x = ds.splits["train"].x
    has_fast = (np.abs(projections(x, fast)) > EPS).sum(1)
    has_slow = (np.abs(projections(x, slow)) > EPS).sum(1)
    assert set(has_fast) <= {0, 1} and set(has_slow) <= {0, 1}
    assert not np.any((has_fast == 0) & (has_slow == 0))
    assert np.mean(has_fast == 0) == pytest.approx(0.3, abs=0.05)
    assert np.mean(has_slow == 0) == pytest.approx(0.2, abs=0.05)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_train": 0}, "n_train"),
        ({"n_test": 1.5}, "n_test"),
        ({"patches": 1}, "patches"),
        ({"dim": 2}, "dim"),
        ({"beta_fast": 0.0}, "beta_fast"),
        ({"beta_slow": -1.0}, "beta_slow"),
        ({"beta_slow": 2.0}, "beta_slow"),
        ({"noise": -0.1}, "noise"),
        ({"slow_only_fraction": 1.5}, "slow_only_fraction"),
        ({"slow_only_fraction": 0.6, "fast_only_fraction": 0.6}, "fast_only_fraction"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_params_name_the_param(params, name):
    with pytest.raises(ValueError, match=f"dataset kind patches params.*{name}"):
        get_generator("patches", {"n_train": 10, "n_test": 10, **params})


# --- model and alignment --------------------------------------------------------------


def test_model_shape_and_registry():
    assert "two_layer_cnn" in model_kinds()
    model = build_model("two_layer_cnn", {"filters": 3}, (P, D), 2)
    assert model.filters.shape == (2, 3, D)
    assert model(torch.randn(6, P, D)).shape == (6, 2)
    with pytest.raises(ValueError, match="n_classes"):
        build_model("two_layer_cnn", {}, (P, D), 3)
    with pytest.raises(ValueError, match="activation"):
        build_model("two_layer_cnn", {"activation": "tanh"}, (P, D), 2)


def test_filters_on_the_fast_feature_classify_by_its_sign(data):
    fast, _ = features(data)
    model = build_model("two_layer_cnn", {"filters": 2}, (P, D), 2)
    with torch.no_grad():
        model.filters.zero_()
        model.filters[0, 0] = torch.tensor(fast)
        model.filters[1, 0] = -torch.tensor(fast)
    x = torch.tensor(data.splits["test"].x)
    logits = model(x)
    f = logits[:, 1] - logits[:, 0]
    # f(x) = (s beta)^3 - (-s beta)^3 = 2 s beta^3, with beta = 1; logits are [-f/2, f/2].
    sign = torch.tensor(2 * data.splits["test"].y - 1, dtype=torch.float32)
    torch.testing.assert_close(f, 2 * sign, atol=1e-4, rtol=0)
    torch.testing.assert_close(logits[:, 0], -logits[:, 1])


def test_feature_alignment_is_the_largest_signed_inner_product():
    model = build_model("two_layer_cnn", {"filters": 3}, (3, 5), 2)
    e = torch.eye(5)
    with torch.no_grad():
        model.filters.zero_()
        # Class +1 filters count with +v, class -1 filters with -v.
        model.filters[0, 0] = 2 * e[0]
        model.filters[0, 1] = 0.5 * e[0] + 0.3 * e[1]
        model.filters[0, 2] = -e[1]
        model.filters[1, 0] = 9 * e[0] - 0.7 * e[1]  # wrong sign for the fast feature
        model.filters[1, 1] = -e[0]
    result = feature_alignment(model, e[0].tolist(), e[1].numpy(), per_class=True)
    assert result == pytest.approx(
        {
            "align_fast": 2.0,
            "align_slow": 0.7,
            "align_fast_pos": 2.0,
            "align_fast_neg": 1.0,
            "align_slow_pos": 0.3,
            "align_slow_neg": 0.7,
        }
    )
    assert set(feature_alignment(model, e[0], e[1])) == {"align_fast", "align_slow"}
    with pytest.raises(ValueError, match="fast_feature"):
        feature_alignment(model, [1.0, 0.0], e[1])


def test_gd_learns_the_fast_feature_first(tmp_path):
    """Full-batch GD: the hook records alignments in the history; fast grows, slow stays."""
    ds = patches(n_train=200, n_test=50).generate(seed=0)
    fast, slow = ds.params["fast_feature"], ds.params["slow_feature"]
    torch.manual_seed(0)
    model = build_model("two_layer_cnn", {}, (P, D), 2)
    start = feature_alignment(model, fast, slow)
    train = TensorData(torch.tensor(ds.splits["train"].x), torch.tensor(ds.splits["train"].y))
    spec = TrainSpec(epochs=60, lr=1.0, batch_size="full", momentum=0.0, schedule="constant")
    result = fit(model, train, spec, 0, tmp_path, "gd", epoch_probes=[alignment_probe(fast, slow)])
    assert all({"align_fast", "align_slow"} <= set(row) for row in result.history)
    end = result.history[-1]
    assert end["align_fast"] > 0.5 > 10 * start["align_fast"]
    assert end["align_fast"] - start["align_fast"] > 100 * (end["align_slow"] - start["align_slow"])
    assert end["train_loss"] < 0.05
