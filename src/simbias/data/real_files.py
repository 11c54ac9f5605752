"""Where torchvision leaves real MNIST, CIFAR-10 and CIFAR-100 on disk, and the md5 checks of those
files (loading and decoding them is :mod:`simbias.data.real`'s). The layout:

* MNIST: ``<root>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (uncompressed idx
  files, parsed by torchvision's own ``read_image_file`` / ``read_label_file``; the
  ``.gz`` archives they were extracted from are kept beside them by torchvision).
* CIFAR-10: ``<root>/cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}``
  (python pickles).
* CIFAR-100: ``<root>/cifar-100-python/{train,test,meta}`` (python pickles, one per split).

What :func:`verify_checksums` verifies (md5, the digests torchvision itself publishes):

* CIFAR-10 and CIFAR-100: every pickle file exactly as read.
* MNIST: torchvision lists md5s only for the ``.gz`` archives, so those are checked, and each
  uncompressed file torchvision reads must equal its verified archive decompressed. An
  uncompressed file whose ``.gz`` is absent cannot be verified: it is reported as ``None``
  (and a warning is issued) instead of refused.
"""

from __future__ import annotations

import gzip
import hashlib
import warnings
from pathlib import Path
from typing import Any

from simbias.data.store import DatasetCorruptError

MNIST_DIR = Path("MNIST") / "raw"
CIFAR_DIR = Path("cifar-10-batches-py")
CIFAR100_DIR = Path("cifar-100-python")

#: Official md5s as listed in torchvision (``mnist.py`` ``MNIST.resources``; ``cifar.py``
#: ``CIFAR10`` and ``CIFAR100.train_list`` / ``test_list`` / ``meta``). MNIST's are of the
#: ``.gz`` archives.
CHECKSUMS: dict[str, dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "cifar10": {
        "data_batch_1": "c99cafc152244af753f735de768cd75f",
        "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
        "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
        "data_batch_4": "634d18415352ddfa80567beed471001a",
        "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
        "test_batch": "40351d587109b95175f43aff81a1287e",
        "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
    },
    "cifar100": {
        "train": "16019d7e3df5f24257cddd939b257f8d",
        "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
        "meta": "7973b15100ade9c7d40fb424638fde48",
    },
}

#: Files each dataset needs on disk (what is read), relative to its folder.
REQUIRED_FILES = {
    "mnist": [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ],
    "cifar10": [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"],
    "cifar100": ["train", "test", "meta"],
}
FOLDERS = {"mnist": MNIST_DIR, "cifar10": CIFAR_DIR, "cifar100": CIFAR100_DIR}


class DatasetMissingError(FileNotFoundError):
    """Files of a real dataset are absent under its root."""


def _md5(path: Path, opener: Any = open) -> str:
    digest = hashlib.md5()
    with opener(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_present(root: Path, kind: str) -> Path:
    folder = root / FOLDERS[kind]
    missing = [name for name in REQUIRED_FILES[kind] if not (folder / name).is_file()]
    if missing:
        raise DatasetMissingError(
            f"{kind} not found under root {str(root)!r}: missing {', '.join(missing)} in "
            f"{str(folder)!r} (expected layout: <root>/{FOLDERS[kind].as_posix()}/"
            f"{{{', '.join(REQUIRED_FILES[kind])}}}). Put the dataset there or set "
            "download: true (needs internet)."
        )
    return folder


def verify_checksums(
    root: str | Path, kind: str, expected: dict[str, str] | None = None
) -> dict[str, str | None]:
    """Check ``kind``'s files ("mnist", "cifar10" or "cifar100") under ``root`` against md5s.

    ``expected`` maps file names (in the dataset folder) to md5s; default ``CHECKSUMS[kind]``.
    Returns {file name: verified md5, or None for an MNIST file that could not be verified
    because its ``.gz`` is absent}. Raises :class:`DatasetMissingError` when files are
    absent and :class:`DatasetCorruptError` (naming the file, expected and actual digest) on a
    mismatch. See the module docstring for exactly what is verified.
    """
    if kind not in CHECKSUMS:
        raise ValueError(f"unknown real dataset {kind!r}; known: {', '.join(CHECKSUMS)}")
    root = Path(root)
    table = CHECKSUMS[kind] if expected is None else expected
    folder = _check_present(root, kind)
    verified: dict[str, str | None] = {}
    for name, md5 in sorted(table.items()):
        path = folder / name
        if kind == "mnist" and name.endswith(".gz") and not path.exists():
            continue  # handled below: the uncompressed file stays unverified
        if not path.is_file():
            raise DatasetMissingError(f"{kind}: checksummed file {str(path)!r} is missing")
        actual = _md5(path)
        if actual != md5:
            raise DatasetCorruptError(
                f"{kind}: {str(path)!r} has md5 {actual}, expected {md5}; delete it and "
                "download again"
            )
        verified[name] = actual
    if kind == "mnist":
        for name in REQUIRED_FILES[kind]:
            archive = folder / f"{name}.gz"
            if name in verified:
                continue  # the table listed the uncompressed file itself
            if f"{name}.gz" not in verified:
                warnings.warn(
                    f"mnist: {str(folder / name)!r} is not verified "
                    f"(no checksummed {archive.name})",
                    stacklevel=2,
                )
                verified[name] = None
                continue
            actual, want = _md5(folder / name), _md5(archive, gzip.open)
            if actual != want:
                raise DatasetCorruptError(
                    f"mnist: {str(folder / name)!r} has md5 {actual}, but its verified archive "
                    f"{archive.name} decompresses to md5 {want}; delete it and extract again"
                )
            verified[name] = actual
    return verified


def _download(root: Path, kind: str, train: bool) -> None:
    """Fetch through torchvision (its own md5 checks apply)."""
    import torchvision

    classes = {"mnist": "MNIST", "cifar10": "CIFAR10", "cifar100": "CIFAR100"}
    getattr(torchvision.datasets, classes[kind])(str(root), train=train, download=True)
