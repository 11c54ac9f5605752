"""Real MNIST / CIFAR-10 loading on tiny fake files in the real on-disk formats (no downloads)."""

from __future__ import annotations

import gzip
import hashlib
import pickle
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from simbias.data.base import GENERATORS, DatasetGenerator, get_generator
from simbias.data.generators.cifar10 import Cifar10
from simbias.data.generators.mnist_cifar import MnistCifarDominoes
from simbias.data.real import load_cifar10, load_mnist
from simbias.data.real_files import (
    CHECKSUMS,
    CIFAR_DIR,
    MNIST_DIR,
    DatasetMissingError,
    verify_checksums,
)
from simbias.data.store import DatasetCorruptError


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def write_idx(path: Path, array: np.ndarray) -> None:
    magic = 2051 if array.ndim == 3 else 2049
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    content = header + array.astype(np.uint8).tobytes()
    path.write_bytes(content)
    Path(f"{path}.gz").write_bytes(gzip.compress(content))


def fake_mnist(root: Path, n: dict[str, int], rng: np.random.Generator) -> dict:
    """Digits 0 and 1 (label 0: dark image, label 1: bright) plus some other digits."""
    folder = root / MNIST_DIR
    folder.mkdir(parents=True)
    out = {}
    for prefix, count in n.items():
        labels = np.arange(count) % 3  # 0, 1, 2, ...
        images = rng.integers(0, 100, size=(count, 28, 28), dtype=np.uint8)
        images[labels == 1] += 150
        images[:, 3, 5] = np.arange(count)  # known pixel (row 3, col 5)
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
        out[prefix] = (images, labels)
    return out


def fake_cifar(root: Path, per_batch: int, rng: np.random.Generator) -> dict:
    folder = root / CIFAR_DIR
    folder.mkdir(parents=True)
    out = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = [[1, 9, 3][i % 3] for i in range(per_batch)]  # automobile, truck, cat
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        data[:, 1024 + 2 * 32 + 7] = 200  # channel 1 (G), row 2, col 7
        with open(folder / name, "wb") as handle:
            pickle.dump({b"data": data, b"labels": labels}, handle, protocol=2)
        out[name] = (data, labels)
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer"]
    names += [b"dog", b"frog", b"horse", b"ship", b"truck"]
    with open(folder / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": names}, handle, protocol=2)
    return out


def table(folder: Path, names) -> dict[str, str]:
    return {name: md5(folder / name) for name in names}


def with_checksums(kind: str, checksums, **params) -> DatasetGenerator:
    """A real-data generator with ``params`` checked as a config's are, reading fake files
    against their own md5 ``checksums`` (no config can set those)."""
    entry = GENERATORS.get(kind)
    params = {key: str(value) if key == "root" else value for key, value in params.items()}
    return entry.obj(entry.params.from_dict(params, kind), checksums=checksums)


@pytest.fixture
def fake_root(tmp_path):
    rng = np.random.default_rng(0)
    mnist = fake_mnist(tmp_path, {"train": 30, "t10k": 12}, rng)
    cifar = fake_cifar(tmp_path, 8, rng)
    tables = {
        "mnist": table(tmp_path / MNIST_DIR, CHECKSUMS["mnist"]),
        "cifar10": table(tmp_path / CIFAR_DIR, CHECKSUMS["cifar10"]),
    }
    return tmp_path, mnist, cifar, tables


def test_load_mnist(fake_root):
    root, mnist, _, tables = fake_root
    for train, prefix in ((True, "train"), (False, "t10k")):
        x, y = load_mnist(root, train, expected=tables["mnist"])
        images, labels = mnist[prefix]
        assert x.shape == (len(labels), 1, 28, 28) and x.dtype == np.float32
        assert y.dtype == np.int64 and (y == labels).all()
        assert x.min() >= 0.0 and x.max() <= 1.0
        np.testing.assert_allclose(x[:, 0, 3, 5], np.arange(len(labels)) / 255, rtol=1e-6)
        np.testing.assert_allclose(x[:, 0], images / 255, rtol=1e-6)


def test_load_cifar10(fake_root):
    root, _, cifar, tables = fake_root
    x, y = load_cifar10(root, True, expected=tables["cifar10"])
    assert x.shape == (40, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == sum((cifar[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(x[:, 1, 2, 7], 200 / 255, rtol=1e-6)
    x_test, y_test = load_cifar10(root, False, expected=tables["cifar10"])
    data, labels = cifar["test_batch"]
    assert x_test.shape == (8, 3, 32, 32) and y_test.tolist() == labels
    np.testing.assert_allclose(x_test[:, 2, 31, 31], data[:, 3071] / 255, rtol=1e-6)


def test_verify_checksums_reports_digests(fake_root):
    root, _, _, tables = fake_root
    cifar = verify_checksums(root, "cifar10", tables["cifar10"])
    assert cifar == tables["cifar10"]
    mnist = verify_checksums(root, "mnist", tables["mnist"])
    assert mnist["train-images-idx3-ubyte.gz"] == tables["mnist"]["train-images-idx3-ubyte.gz"]
    assert mnist["train-images-idx3-ubyte"] == md5(root / MNIST_DIR / "train-images-idx3-ubyte")


def test_changed_cifar_batch_is_refused(fake_root):
    root, _, _, tables = fake_root
    path = root / CIFAR_DIR / "data_batch_3"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(DatasetCorruptError, match="data_batch_3") as info:
        load_cifar10(root, False, expected=tables["cifar10"])
    assert tables["cifar10"]["data_batch_3"] in str(info.value)
    assert md5(path) in str(info.value)


@pytest.mark.parametrize("name", ["t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz"])
def test_changed_mnist_file_is_refused(fake_root, name):
    root, _, _, tables = fake_root
    path = root / MNIST_DIR / name
    content = path.read_bytes()
    if name.endswith(".gz"):
        content = gzip.compress(gzip.decompress(content)[:-1] + b"\x07")
    else:
        content = content[:-1] + b"\x07"
    path.write_bytes(content)
    with pytest.raises(DatasetCorruptError, match=re.escape(name)):
        load_mnist(root, True, expected=tables["mnist"])


def test_mnist_without_archive_is_loaded_unverified(fake_root):
    root, _, _, tables = fake_root
    (root / MNIST_DIR / "train-images-idx3-ubyte.gz").unlink()
    with pytest.warns(UserWarning, match="not verified"):
        verified = verify_checksums(root, "mnist", tables["mnist"])
    assert verified["train-images-idx3-ubyte"] is None
    assert verified["t10k-images-idx3-ubyte"] is not None


def test_missing_root_gives_clear_error(tmp_path):
    for loader, folder in ((load_mnist, "MNIST/raw"), (load_cifar10, "cifar-10-batches-py")):
        with pytest.raises(FileNotFoundError) as info:
            loader(tmp_path / "nowhere", True)
        message = str(info.value)
        assert "nowhere" in message and folder in message and "download: true" in message
        assert isinstance(info.value, DatasetMissingError)


def test_official_checksum_table():
    assert set(CHECKSUMS["mnist"]) == {
        f"{p}-{k}-ubyte.gz" for p in ("train", "t10k") for k in ("images-idx3", "labels-idx1")
    }
    assert set(CHECKSUMS["cifar10"]) == {f"data_batch_{i}" for i in range(1, 6)} | {
        "test_batch",
        "batches.meta",
    }
    for digests in CHECKSUMS.values():
        assert all(re.fullmatch(r"[0-9a-f]{32}", d) for d in digests.values())
    assert CHECKSUMS["cifar10"]["test_batch"] == "40351d587109b95175f43aff81a1287e"


def test_mnist_cifar_dominoes(fake_root):
    root, _, _, tables = fake_root
    assert GENERATORS.get("mnist_cifar").obj is MnistCifarDominoes
    gen = with_checksums("mnist_cifar", tables, root=root, n_train=12)
    data = gen.generate(seed=3)
    assert data.input_range == (0.0, 1.0)
    assert set(data.splits) == {"train", "test", "s_rand", "sc_rand"}
    train, test = data.splits["train"], data.splits["test"]
    assert train.x.shape == (12, 3, 64, 32) and train.x.dtype == np.float32
    assert test.x.shape[1:] == (3, 64, 32) and len(test.x) >= 4
    assert set(np.unique(train.y)) == {0, 1}
    for split in (train, test):
        top, bottom = split.x[:, :, :32], split.x[:, :, 32:]
        assert (top[:, 0] == top[:, 1]).all() and (top[:, :, :2] == 0).all()  # grey, padded
        # fake MNIST 1s are bright, 0s dark: the top block predicts the label
        assert ((top[:, 0, 2:30, 2:30].mean(axis=(1, 2)) > 0.45) == (split.y == 1)).all()
        assert np.allclose(bottom[:, 1, 2, 7], 200 / 255)
    s_rand, sc_rand = data.splits["s_rand"], data.splits["sc_rand"]
    assert (s_rand.y == test.y).all() and (sc_rand.y == test.y).all()
    assert (s_rand.x[:, :, 32:] == test.x[:, :, 32:]).all()
    assert (sc_rand.x[:, :, :32] == test.x[:, :, :32]).all()
    assert sorted(map(bytes, s_rand.x[:, :, :32])) == sorted(map(bytes, test.x[:, :, :32]))
    assert sorted(map(bytes, sc_rand.x[:, :, 32:])) == sorted(map(bytes, test.x[:, :, 32:]))
    assert not (s_rand.x == test.x).all() or len(np.unique(test.y)) == 1
    params = data.params
    assert params["kind"] == "mnist_cifar" and params["image_shape"] == [3, 64, 32]
    assert params["md5_verified"]["cifar10"] == tables["cifar10"]
    again = with_checksums("mnist_cifar", tables, root=root, n_train=12).generate(seed=3)
    assert (again.splits["sc_rand"].x == sc_rand.x).all()


def test_mnist_cifar_rejects_too_many_and_unknown(fake_root):
    root, _, _, tables = fake_root
    with pytest.raises(ValueError, match="n_train"):
        with_checksums("mnist_cifar", tables, root=root, n_train=10_000).generate(seed=0)
    with pytest.raises(ValueError, match="mnist_cifar params.*'block' was unexpected"):
        get_generator("mnist_cifar", {"root": str(root), "block": 8})


def test_cifar10_kind_keeps_a_seeded_subset(fake_root):
    root, _, cifar, tables = fake_root
    assert GENERATORS.get("cifar10").obj is Cifar10
    full = with_checksums("cifar10", tables["cifar10"], root=root).generate(seed=0)
    assert set(full.splits) == {"train", "test"} and full.input_range == (0.0, 1.0)
    assert full.splits["train"].x.shape == (40, 3, 32, 32)
    assert full.splits["test"].y.tolist() == cifar["test_batch"][1]
    subset = with_checksums("cifar10", tables["cifar10"], root=root, n_train=10).generate(seed=1)
    again = with_checksums("cifar10", tables["cifar10"], root=root, n_train=10).generate(seed=1)
    np.testing.assert_array_equal(subset.splits["train"].x, again.splits["train"].x)
    # Every kept image is one of the full training set's rows, with its own label.
    rows = {full.splits["train"].x[i].tobytes(): full.splits["train"].y[i] for i in range(40)}
    for image, label in zip(subset.splits["train"].x, subset.splits["train"].y, strict=True):
        assert rows[image.tobytes()] == label
    assert subset.params["md5_verified"]["data_batch_1"] == tables["cifar10"]["data_batch_1"]


def test_cifar10_kind_refuses_changed_batch_and_bad_params(fake_root):
    root, _, _, tables = fake_root
    with pytest.raises(ValueError, match="cifar10 params/n_train"):
        get_generator("cifar10", {"root": str(root), "n_train": 0})
    with pytest.raises(ValueError, match="cifar10 params.*'size' was unexpected"):
        get_generator("cifar10", {"root": str(root), "size": 3})
    with pytest.raises(ValueError, match="cifar10 params.*root"):
        get_generator("cifar10", {"root": ""})
    with open(root / CIFAR_DIR / "test_batch", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(DatasetCorruptError, match="test_batch"):
        with_checksums("cifar10", tables["cifar10"], root=root).generate(seed=0)
