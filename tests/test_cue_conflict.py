"""The cue-conflict dataset: its cues say what its labels say, and conflict where they should."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from simbias.data.base import get_generator
from simbias.data.cue_images import BACKGROUND, FOREGROUND
from simbias.data.generators.cue_conflict import CueConflictDataset
from simbias.data.store import load_split, write_dataset

SMALL = {"n_train": 240, "n_test": 120, "n_probe": 120}


@pytest.fixture(scope="module")
def data():
    return get_generator("cue_conflict", SMALL).generate(0)


def foreground(x: np.ndarray) -> np.ndarray:
    """Pixels (N, H, W) that are not background: background is grey and at most 0.5."""
    grey = (x.max(axis=1) - x.min(axis=1)) < 1e-6
    return ~(grey & (x[:, 0] <= BACKGROUND + 0.2 + 1e-6))


def centred_masks(x: np.ndarray) -> np.ndarray:
    """Foreground masks rolled so that their centroid is at the centre, flattened (N, H*W):
    the silhouette without its position jitter."""
    masks = foreground(x)
    size = masks.shape[-1]
    grid = np.arange(size)
    out = []
    for mask in masks:
        rows, cols = (np.round(mask.sum(axis=a) @ grid / mask.sum()) for a in (1, 0))
        out.append(np.roll(mask, (size // 2 - int(rows), size // 2 - int(cols)), axis=(0, 1)))
    return np.array(out, dtype=np.float64).reshape(len(masks), -1)


def hue(split) -> np.ndarray:
    """Mean colour of each image's foreground over its brightness (N, 3): the texture's
    colour cue, blind to the shape and to the per-image brightness jitter."""
    mask = foreground(split.x)[:, None]
    colour = (split.x * mask).sum(axis=(2, 3)) / mask.sum(axis=(2, 3))
    return colour / colour.mean(axis=1, keepdims=True)


def test_generation_is_deterministic_per_seed():
    a = get_generator("cue_conflict", SMALL).generate(3)
    b = get_generator("cue_conflict", SMALL).generate(3)
    c = get_generator("cue_conflict", SMALL).generate(4)
    for name in a.splits:
        np.testing.assert_array_equal(a.splits[name].x, b.splits[name].x)
        np.testing.assert_array_equal(a.splits[name].y, b.splits[name].y)
    assert not np.array_equal(a.splits["train"].x, c.splits["train"].x)


def test_splits_shapes_range_and_balance(data):
    assert set(data.splits) == {"train", "test", *CueConflictDataset.extra_splits}
    assert data.input_range == (0.0, 1.0)
    assert data.params["kind"] == "cue_conflict" and data.params["n_classes"] == 4
    for name, split in data.splits.items():
        assert split.x.shape[1:] == (3, 16, 16) and split.x.dtype == np.float32, name
        assert split.x.min() >= 0 and split.x.max() <= 1
        counts = np.bincount(split.y, minlength=4)
        assert counts.max() - counts.min() <= 1, (name, counts)


def test_conflict_images_disagree_and_are_labelled_by_shape(data):
    conflict = data.splits["conflict"]
    shape, texture = conflict.attributes["shape_label"], conflict.attributes["texture_label"]
    np.testing.assert_array_equal(conflict.y, shape)
    assert np.all(texture != shape) and np.all((texture >= 0) & (texture < 4))
    # Every other texture turns up with every shape.
    assert len(set(zip(shape.tolist(), texture.tolist(), strict=True))) == 4 * 3
    for name in ("train", "test"):
        split = data.splits[name]
        np.testing.assert_array_equal(split.attributes["shape_label"], split.y)
        np.testing.assert_array_equal(split.attributes["texture_label"], split.y)


def test_shape_only_images_have_one_flat_neutral_fill(data):
    x = data.splits["shape_only"].x
    mask = foreground(x)
    assert mask.sum(axis=(1, 2)).min() > 10  # a silhouette in every image
    inside = x.transpose(0, 2, 3, 1)[mask]
    np.testing.assert_array_equal(inside, np.full_like(inside, FOREGROUND))
    assert np.all(data.splits["shape_only"].attributes["texture_label"] == -1)


def test_texture_and_colour_only_images_fill_the_frame(data):
    for name in ("texture_only", "colour_only"):
        x = data.splits[name].x
        assert foreground(x).all(), name
        assert np.all(data.splits[name].attributes["shape_label"] == -1)
    flat = data.splits["colour_only"].x
    np.testing.assert_allclose(flat, flat[:, :, :1, :1].repeat(16, 2).repeat(16, 3))


def test_texture_cue_predicts_the_texture_label(data):
    """Colour learnt on training images predicts conflict images' texture, not their shape."""
    train = data.splits["train"]
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    clf.fit(hue(train), train.y)
    conflict = data.splits["conflict"]
    predicted = clf.predict(hue(conflict))
    assert np.mean(predicted == conflict.attributes["texture_label"]) > 0.95
    texture_only = data.splits["texture_only"]
    assert clf.score(hue(texture_only), texture_only.y) > 0.95


def test_shape_cue_predicts_the_shape_label(data):
    """Silhouettes learnt on training images predict conflict and shape-only images' shape."""
    train = data.splits["train"]
    clf = LogisticRegression(max_iter=2000).fit(centred_masks(train.x), train.y)
    for name in ("conflict", "shape_only"):
        split = data.splits[name]
        assert clf.score(centred_masks(split.x), split.attributes["shape_label"]) > 0.9, name


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"size": 4}, "size"),
        ({"size": 65}, "size"),
        ({"n_classes": 9}, "n_classes"),
        ({"n_train": 0}, "n_train"),
        ({"colour_strength": 0.0}, "colour_strength"),
        ({"max_shift": 99}, "max_shift"),
        ({"size": 12, "max_shift": 4}, "max_shift"),  # at most size // 4
        ({"scale_jitter": 0.5}, "scale_jitter"),
        ({"background_noise": 0.5}, "background_noise"),
    ],
)
def test_bad_params_are_named(params, name):
    with pytest.raises(ValueError, match=f"dataset kind cue_conflict params.*{name}"):
        get_generator("cue_conflict", params)


def test_attributes_survive_the_store(data, tmp_path):
    write_dataset(tmp_path, "cc", data, seed=0)
    for name in ("conflict", "shape_only"):
        loaded = load_split(tmp_path, name)
        original = data.splits[name]
        np.testing.assert_array_equal(loaded.x, original.x)
        assert set(loaded.attributes) == {"shape_label", "texture_label"}
        for key, values in original.attributes.items():
            np.testing.assert_array_equal(loaded.attributes[key], values)


def test_cue_scale_scales_the_cue_amplitudes_and_the_images():
    base = get_generator("cue_conflict", SMALL).generate(0)
    scaled = get_generator("cue_conflict", {**SMALL, "cue_scale": 4}).generate(0)
    for key in ("pattern_amplitude", "colour_amplitude", "cue_amplitude"):
        assert scaled.params[key] == pytest.approx(4 * base.params[key])
    # The defaults: pattern swing 0.1 / 2 x 0.7, colours 0.05 x (closest pair 0.7) / 2.
    assert base.params["pattern_amplitude"] == pytest.approx(0.035)
    assert base.params["cue_amplitude"] == pytest.approx(0.0175)
    # Texture-only images: the per-image spread of pixel values grows with the scale.
    spread = [d.splits["texture_only"].x.std(axis=(2, 3)).mean() for d in (base, scaled)]
    assert spread[1] > 3 * spread[0]
    # cue_scale 1 is the unscaled generator, bit for bit.
    same = get_generator("cue_conflict", {**SMALL, "cue_scale": 1.0}).generate(0)
    np.testing.assert_array_equal(same.splits["conflict"].x, base.splits["conflict"].x)


def test_a_cue_scale_past_full_strength_is_refused():
    with pytest.raises(ValueError, match="cue_scale"):
        get_generator("cue_conflict", {**SMALL, "texture_contrast": 0.5, "cue_scale": 3})
