"""CIFAR-10 cue-conflict probes on tiny fake CIFAR-10 batches (no downloads)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from test_real_data import fake_cifar, table, with_checksums

from simbias.analysis.probe_pool import load_probe_pool
from simbias.data.base import GENERATORS, get_generator
from simbias.data.generators.cifar_cue_conflict import CifarCueConflict
from simbias.data.real_files import CHECKSUMS, CIFAR_DIR
from simbias.data.store import DatasetCorruptError, load_split, write_dataset

PROBES = ("conflict", "shape_only", "texture_only", "colour_only")
PATCH = 8


def fake_cifar10(root: Path, rng: np.random.Generator, per_class: int = 3) -> dict:
    """All ten classes, ``per_class`` images each per batch, random pixels (so every crop is
    unique), in the real pickle format."""
    folder = root / CIFAR_DIR
    folder.mkdir(parents=True)
    out = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = [i % 10 for i in range(10 * per_class)]
        data = rng.integers(0, 256, size=(len(labels), 3072), dtype=np.uint8)
        with open(folder / name, "wb") as handle:
            pickle.dump({b"data": data, b"labels": labels}, handle, protocol=2)
        out[name] = (data.reshape(-1, 3, 32, 32), np.array(labels))
    with open(folder / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": [b"c%d" % i for i in range(10)]}, handle, protocol=2)
    return out


def cues(checksums, **params) -> CifarCueConflict:
    return with_checksums("cifar_cue_conflict", checksums, **params)


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar")
    cifar = fake_cifar10(root, np.random.default_rng(0))
    checksums = table(root / CIFAR_DIR, CHECKSUMS["cifar10"])
    data = cues(checksums, root=root, n_train=20, n_probe=40).generate(7)
    return root, cifar, checksums, data


def test_splits_labels_and_determinism(fake):
    root, cifar, checksums, data = fake
    assert GENERATORS.get("cifar_cue_conflict").obj is CifarCueConflict
    assert set(data.splits) == {"train", "test", *CifarCueConflict.extra_splits}
    assert CifarCueConflict.extra_splits == PROBES
    assert data.input_range == (0.0, 1.0)
    images, labels = cifar["test_batch"]
    test = data.splits["test"]
    np.testing.assert_array_equal(test.x, images / np.float32(255))
    np.testing.assert_array_equal(test.y, labels)
    assert data.splits["train"].x.shape == (20, 3, 32, 32)
    for name, split in data.splits.items():
        assert split.x.dtype == np.float32 and split.y.dtype == np.int64
        assert split.x.min() >= 0.0 and split.x.max() <= 1.0
        assert set(split.attributes) == {"shape_label", "texture_label"}
        if name in PROBES:
            assert split.x.shape == (40, 3, 32, 32)
            assert np.bincount(split.y, minlength=10).tolist() == [4] * 10  # balanced
    params = data.params
    assert params["kind"] == "cifar_cue_conflict" and params["patch"] == PATCH
    assert params["n_probe"] == 40 and params["n_train"] == 20
    assert params["md5_verified"] == checksums and "checksums" not in params
    again = cues(checksums, root=root, n_train=20, n_probe=40).generate(7)
    other = cues(checksums, root=root, n_train=20, n_probe=40).generate(8)
    for name in data.splits:
        np.testing.assert_array_equal(again.splits[name].x, data.splits[name].x)
        np.testing.assert_array_equal(again.splits[name].y, data.splits[name].y)
    assert not np.array_equal(other.splits["conflict"].x, data.splits["conflict"].x)
    # The probes come from their own seed stream: n_train does not change them.
    full_train = cues(checksums, root=root, n_probe=40).generate(7)
    assert len(full_train.splits["train"].y) == 150
    np.testing.assert_array_equal(full_train.splits["conflict"].x, data.splits["conflict"].x)


def test_conflict_attributes_survive_the_store(fake, tmp_path):
    _, _, _, data = fake
    conflict = data.splits["conflict"]
    shape, texture = conflict.attributes["shape_label"], conflict.attributes["texture_label"]
    assert (shape != texture).all() and (conflict.y == shape).all()
    assert texture.min() >= 0
    write_dataset(tmp_path, "cifar_cue_conflict", data, seed=7)
    for name in PROBES:
        loaded, original = load_split(tmp_path, name), data.splits[name]
        np.testing.assert_array_equal(loaded.x, original.x)
        for key in ("shape_label", "texture_label"):
            np.testing.assert_array_equal(loaded.attributes[key], original.attributes[key])
    pool = load_probe_pool(tmp_path)
    assert len(pool.x) == len(data.splits["test"].y) + 4 * 40
    assert set(pool.concept) == {"object", "conflict", "shape", "texture", "colour"}


def test_single_cue_splits(fake):
    _, cifar, _, data = fake
    images, labels = cifar["test_batch"]
    shape_only = data.splits["shape_only"]
    x = shape_only.x
    assert (x[:, 0] == x[:, 1]).all() and (x[:, 1] == x[:, 2]).all()
    assert (shape_only.attributes["texture_label"] == -1).all()
    assert (shape_only.attributes["shape_label"] == shape_only.y).all()
    np.testing.assert_allclose(x.min(axis=(1, 2, 3)), 0.0, atol=1e-6)  # contrast-normalised
    np.testing.assert_allclose(x.max(axis=(1, 2, 3)), 1.0, atol=1e-6)

    texture_only = data.splits["texture_only"]
    assert (texture_only.attributes["shape_label"] == -1).all()
    assert (texture_only.attributes["texture_label"] == texture_only.y).all()
    windows = np.lib.stride_tricks.sliding_window_view(
        images / np.float32(255), (PATCH, PATCH), axis=(2, 3)
    ).astype(np.float32)  # (N, 3, 25, 25, PATCH, PATCH)
    for image, cls in zip(texture_only.x, texture_only.y, strict=True):
        crops = windows[labels == cls].transpose(0, 2, 3, 1, 4, 5).reshape(-1, 3, PATCH, PATCH)
        crops = {crop.tobytes() for crop in crops}
        tiles = image.reshape(3, 4, PATCH, 4, PATCH).transpose(1, 3, 0, 2, 4).reshape(16, 3, 8, 8)
        assert all(tile.tobytes() in crops for tile in tiles)  # every tile from class b
        assert len({tile.tobytes() for tile in tiles}) > 1  # not one crop repeated

    colour_only = data.splits["colour_only"]
    assert (colour_only.attributes["shape_label"] == -1).all()
    assert (colour_only.attributes["texture_label"] == colour_only.y).all()
    x = colour_only.x
    assert (x == x[:, :, :1, :1]).all()  # constant per channel
    means = (images / np.float32(255)).mean(axis=(2, 3), dtype=np.float64)
    for colour, cls in zip(x[:, :, 0, 0], colour_only.y, strict=True):
        assert np.isclose(means[labels == cls], colour, atol=1e-6).all(axis=1).any()


def test_conflict_is_texture_modulated_by_structure(fake):
    _, _, _, data = fake
    x = data.splits["conflict"].x
    assert not (x[:, 0] == x[:, 1]).all()  # coloured, unlike shape_only
    # The structure modulates the texture: no conflict image is flat.
    assert (x.reshape(len(x), -1).std(axis=1) > 0.01).all()


def test_subset_of_classes_and_bad_inputs(tmp_path):
    fake_cifar(tmp_path, 9, np.random.default_rng(1))  # classes 1, 9 and 3 only
    checksums = table(tmp_path / CIFAR_DIR, CHECKSUMS["cifar10"])
    data = cues(checksums, root=tmp_path, n_probe=12, patch=5).generate(0)
    conflict = data.splits["conflict"]
    assert set(conflict.y) == {1, 3, 9} and data.params["classes"] == [1, 3, 9]
    assert (conflict.attributes["shape_label"] != conflict.attributes["texture_label"]).all()
    assert data.splits["texture_only"].x.shape == (12, 3, 32, 32)  # 7 x 7 tiles of 5, cropped
    root = str(tmp_path)
    with pytest.raises(ValueError, match="cifar_cue_conflict params.*'size' was unexpected"):
        get_generator("cifar_cue_conflict", {"root": root, "size": 16})
    bad_params = [({"patch": 1}, "patch"), ({"patch": 17}, "patch"), ({"n_probe": 0}, "n_probe")]
    for bad, name in [*bad_params, ({"n_train": True}, "n_train")]:
        with pytest.raises(ValueError, match=f"cifar_cue_conflict params/{name}"):
            get_generator("cifar_cue_conflict", {"root": root, **bad})
    with pytest.raises(ValueError, match="n_train=1000"):
        cues(checksums, root=tmp_path, n_train=1000).generate(0)
    path = tmp_path / CIFAR_DIR / "data_batch_2"
    path.write_bytes(path.read_bytes()[:-1] + b"\x01")
    with pytest.raises(DatasetCorruptError, match="data_batch_2"):
        cues(checksums, root=tmp_path).generate(0)
