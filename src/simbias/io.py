"""Atomic artefact writing and content hashing.

Every artefact is written to a temporary name in the same directory and then
renamed, so a killed job never leaves a file that looks finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _default_mode() -> int:
    """The mode a plain ``open()`` would give a new file: 0o666 less the umask (read
    without changing it for good; mkstemp's own 0o600 would survive the rename)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _default_mode())
        os.replace(tmp_path, path)  # atomic on POSIX within one filesystem
    finally:
        tmp_path.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text))


def write_json_atomic(path: str | os.PathLike, obj: Any) -> Path:
    return write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def save_npz_atomic(path: str | os.PathLike, **arrays: Any) -> Path:
    """``np.savez`` to ``path`` atomically (through a handle: savez would add a suffix)."""
    import numpy as np

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    return write_atomic(path, save)


def save_torch_atomic(path: str | os.PathLike, obj: Any) -> Path:
    """``torch.save`` to ``path`` atomically, through a handle: given a path, torch names
    the archive after the (random) temporary file, so equal tensors gave unequal bytes."""
    import torch

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            torch.save(obj, handle)

    return write_atomic(path, save)
