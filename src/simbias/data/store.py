"""Writing a dataset to disk with its card, and loading it back with checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from simbias.data.base import DatasetSplits, Split
from simbias.io import save_npz_atomic, sha256_file, write_json_atomic

CARD_NAME = "card.json"


class DatasetCorruptError(RuntimeError):
    """A dataset file is missing or does not match the sha256 in its card."""


def _class_balance(y: np.ndarray) -> dict[str, int]:
    labels, counts = np.unique(y, return_counts=True)
    return {str(int(label)): int(count) for label, count in zip(labels, counts, strict=True)}


def write_dataset(out_dir: str | Path, name: str, dataset: DatasetSplits, seed: int) -> Path:
    """Write ``{split}.npz`` for every split, then ``card.json`` (written last, so its
    presence means the dataset is complete)."""
    out_dir = Path(out_dir)
    files: dict[str, Any] = {}
    for split_name in dataset.splits:
        split = dataset.splits[split_name]
        path = out_dir / f"{split_name}.npz"
        x = np.ascontiguousarray(split.x, dtype=np.float32)
        # Class labels, except for real-valued regression targets (a stream's prompts, a
        # coordinate network's signal).
        labels = dataset.stream is None and dataset.regression_outputs is None
        y = np.ascontiguousarray(split.y, dtype=np.int64 if labels else np.float32)
        attributes = {k: np.ascontiguousarray(v) for k, v in split.attributes.items()}
        save_npz_atomic(path, x=x, y=y, **attributes)
        files[path.name] = {
            "sha256": sha256_file(path),
            "x_shape": list(x.shape),
            "y_shape": list(y.shape),
            **({"class_balance": _class_balance(y)} if labels else {}),
            **({"attributes": sorted(attributes)} if attributes else {}),
        }
    # A stream dataset (no train split) has regression targets, not classes.
    shape_from = dataset.splits["test" if dataset.stream is not None else "train"]
    card = {
        "name": name,
        "seed": seed,
        "generator": dataset.params,
        "n_classes": None
        if dataset.stream is not None
        else dataset.regression_outputs
        or int(max(int(s.y.max()) for s in dataset.splits.values()) + 1),
        "input_shape": list(shape_from.x.shape[1:]),
        "input_range": list(dataset.input_range) if dataset.input_range else None,
        "splits": list(dataset.splits),
        "files": files,
        **({"stream": dataset.stream} if dataset.stream is not None else {}),
    }
    return write_json_atomic(out_dir / CARD_NAME, card)


def read_card(data_dir: str | Path) -> dict[str, Any]:
    path = Path(data_dir) / CARD_NAME
    if not path.exists():
        raise DatasetCorruptError(f"{path} is missing: regenerate the dataset")
    return json.loads(path.read_text())


def load_split(data_dir: str | Path, split: str, verify: bool = True) -> Split:
    """Load one split, refusing a file whose sha256 differs from the card's."""
    data_dir = Path(data_dir)
    card = read_card(data_dir)
    if f"{split}.npz" not in card["files"]:
        known = sorted(name.removesuffix(".npz") for name in card["files"])
        raise ValueError(f"dataset {data_dir} has no split {split!r}; it has {known}")
    path = data_dir / f"{split}.npz"
    if not path.exists():
        raise DatasetCorruptError(f"{path} is missing: regenerate the dataset")
    if verify:
        expected = card["files"][path.name]["sha256"]
        actual = sha256_file(path)
        if actual != expected:
            raise DatasetCorruptError(
                f"{path} is corrupted: sha256 {actual[:12]}... does not match "
                f"{expected[:12]}... recorded in {data_dir / CARD_NAME}; delete the "
                "directory and regenerate it"
            )
    try:
        with np.load(path, allow_pickle=False) as npz:
            attributes = {k: npz[k] for k in npz.files if k not in ("x", "y")}
            return Split(x=npz["x"], y=npz["y"], attributes=attributes)
    except (OSError, ValueError, KeyError) as error:
        raise DatasetCorruptError(f"{path} cannot be read: {error}") from error
