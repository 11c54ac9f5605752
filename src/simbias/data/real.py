"""Real MNIST, CIFAR-10 and CIFAR-100 for paper scale: loading and decoding (the kinds that
use them: simbias.data.generators.mnist_cifar, cifar10, cifar100 and cifar_cue_conflict).
Downloads go through torchvision (``torchvision.datasets.MNIST`` / ``CIFAR10`` /
``CIFAR100`` with ``download=True``, which
apply torchvision's own md5 checks); ``download`` is False by default and should be True
only at paper scale on a machine with internet. Files are md5-checked first
(:mod:`simbias.data.real_files`, which also gives their layout). MNIST's idx files are
parsed by torchvision's own ``read_image_file`` / ``read_label_file``; the CIFAR pickles
we unpickle ourselves, rather than through ``torchvision.datasets.CIFAR10``, because that
class hard-codes the official md5s and so cannot read the tiny fake batches the tests
write; the format handling is the same (``encoding="latin1"``, rows of 3072 bytes = R, G,
B planes of 32 x 32, row-major; CIFAR-100's 100 classes under ``fine_labels``, as
torchvision's ``CIFAR100`` reads them).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simbias.data.base import GeneratorParams
from simbias.data.real_files import FOLDERS, MNIST_DIR, _download, verify_checksums
from simbias.data.store import DatasetCorruptError
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class DownloadedParams(GeneratorParams):
    """Where the real-data kinds find (or put) torchvision's files."""

    root: str = param(
        description="Folder holding (or receiving) torchvision's MNIST/, cifar-10-batches-py/"
        " and cifar-100-python/.",
        min_length=1,
    )
    download: bool = param(
        False,
        description="Download through torchvision when missing (its md5 checks apply); "
        "needs internet.",
    )


def mnist_uint8(
    root: str | Path, train: bool, download: bool, expected: dict[str, str] | None
) -> tuple[np.ndarray, np.ndarray, dict[str, str | None]]:
    from torchvision.datasets.mnist import read_image_file, read_label_file

    root = Path(root)
    if download:
        _download(root, "mnist", train)
    verified = verify_checksums(root, "mnist", expected)
    prefix = "train" if train else "t10k"
    folder = root / MNIST_DIR
    images = read_image_file(str(folder / f"{prefix}-images-idx3-ubyte")).numpy()
    labels = read_label_file(str(folder / f"{prefix}-labels-idx1-ubyte")).numpy()
    if len(images) != len(labels) or images.shape[1:] != (28, 28):
        raise DatasetCorruptError(f"mnist {prefix}: images {images.shape}, labels {labels.shape}")
    return images, labels.astype(np.int64), verified


def _unpickle(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        entry = pickle.load(handle, encoding="latin1")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in entry.items()}


#: Each CIFAR's pickles of a split (train, test) and its label key (torchvision cifar.py).
CIFAR_FILES = {
    "cifar10": (([f"data_batch_{i}" for i in range(1, 6)], ["test_batch"]), "labels"),
    "cifar100": ((["train"], ["test"]), "fine_labels"),
}


def cifar_uint8(
    root: str | Path,
    train: bool,
    download: bool,
    expected: dict[str, str] | None,
    kind: str = "cifar10",
) -> tuple[np.ndarray, np.ndarray, dict[str, str | None]]:
    root = Path(root)
    if download:
        _download(root, kind, train)
    verified = verify_checksums(root, kind, expected)
    (train_names, test_names), label_key = CIFAR_FILES[kind]
    data, labels = [], []
    for name in train_names if train else test_names:
        entry = _unpickle(root / FOLDERS[kind] / name)
        data.append(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        labels.extend(entry[label_key])
    return np.concatenate(data), np.asarray(labels, dtype=np.int64), verified


def cifar10_uint8_splits(
    root: str | Path,
    download: bool,
    checksums: dict[str, str] | None,
    n_train: int | None,
    rng: np.random.Generator,
    kind: str = "cifar10",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], dict[str, str | None]]:
    """CIFAR-10's (or ``kind`` cifar100's) (train, test) uint8 images and labels after the
    md5 check, the training set cut to a seeded subset of ``n_train`` (all when None), and
    the md5s verified."""
    x_train, y_train, verified = cifar_uint8(root, True, download, checksums, kind)
    x_test, y_test, _ = cifar_uint8(root, False, download, checksums, kind)
    if n_train is not None:
        if n_train > len(y_train):
            raise ValueError(f"n_train={n_train} but {kind} has {len(y_train)}")
        keep = np.sort(rng.choice(len(y_train), n_train, replace=False))
        x_train, y_train = x_train[keep], y_train[keep]
    return (x_train, y_train), (x_test, y_test), verified


def unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1]."""
    return (images / np.float32(255)).astype(np.float32)


def load_mnist(
    root: str | Path,
    train: bool,
    download: bool = False,
    expected: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST train or test (``t10k``) split: float32 (N, 1, 28, 28) in [0, 1], int64 labels.

    Verifies checksums first (``expected`` as in :func:`verify_checksums`)."""
    images, labels, _ = mnist_uint8(root, train, download, expected)
    return unit_float(images[:, None]), labels


def load_cifar10(
    root: str | Path,
    train: bool,
    download: bool = False,
    expected: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 train or test split: float32 (N, 3, 32, 32) in [0, 1], int64 labels 0-9.

    Verifies checksums first (``expected`` as in :func:`verify_checksums`)."""
    images, labels, _ = cifar_uint8(root, train, download, expected)
    return unit_float(images), labels
