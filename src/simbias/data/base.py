"""What every dataset generator returns, and the registry that finds it by kind."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

#: Every dataset has these splits.
REQUIRED_SPLITS = ("train", "test")
#: Simplicity-bias probes: ``s_rand`` has the simple feature permuted across
#: examples, ``sc_rand`` every complex feature. Datasets with a simple/complex
#: structure write them; other datasets (plain classification tasks) do not.
SB_SPLITS = ("s_rand", "sc_rand")
SPLITS = REQUIRED_SPLITS + SB_SPLITS
#: Split names become file names: keep them to safe identifiers.
SPLIT_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass
class Split:
    """Inputs ``x`` (float32, N x ...) and integer labels ``y`` (int64, N), plus optional
    per-example ``attributes`` (arrays of N rows, e.g. a cue-conflict image's texture class
    or which examples carry an outlier feature), saved in the same file."""

    x: np.ndarray
    y: np.ndarray
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} rows but y has {len(self.y)}")
        for key, values in self.attributes.items():
            if key in ("x", "y") or not key or set(key) - SPLIT_NAME_CHARS:
                raise ValueError(f"attribute name {key!r} must be lower-case letters, digits, _")
            if len(values) != len(self.y):
                raise ValueError(f"attribute {key!r} has {len(values)} rows, y has {len(self.y)}")


@dataclass
class DatasetSplits:
    splits: dict[str, Split]
    #: Generator parameters recorded in the dataset card (JSON-serialisable).
    params: dict[str, Any] = field(default_factory=dict)

    #: Valid input range (low, high) for attacks and augmentation; None when unbounded.
    input_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        missing = set(REQUIRED_SPLITS) - set(self.splits)
        if missing:
            raise ValueError(f"dataset is missing splits {sorted(missing)}")
        for name in self.splits:
            if not name or set(name) - SPLIT_NAME_CHARS:
                raise ValueError(f"split name {name!r} must be lower-case letters, digits, _")


class DatasetGenerator:
    """A dataset kind: built from its config entry, generates all splits from a seed."""

    kind: ClassVar[str]
    #: The splits ``generate`` returns besides train and test.
    extra_splits: ClassVar[tuple[str, ...]] = SB_SPLITS
    registry: ClassVar[dict[str, type[DatasetGenerator]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "kind", None):
            DatasetGenerator.registry[cls.kind] = cls

    def __init__(self, **params: Any) -> None:
        self.params = params

    def generate(self, seed: int) -> DatasetSplits:
        raise NotImplementedError


#: Built-in kinds and their modules, imported on first use (scikit-learn, which some need,
#: costs a second to import in every job that only reads data).
BUILTIN_GENERATORS = {
    "slabs": "simbias.data.slabs",
    "dominoes": "simbias.data.dominoes",
    "patches": "simbias.data.patches",
    "digits": "simbias.data.digits",
    "mnist_cifar": "simbias.data.real",  # paper scale: real MNIST and CIFAR-10
    "cifar10": "simbias.data.real",
    "cifar_cue_conflict": "simbias.data.cifar_cue_conflict",
    "cue_conflict": "simbias.data.cue_conflict",
    "opposing_signals": "simbias.data.opposing",
}


def get_generator(kind: str, params: dict[str, Any]) -> DatasetGenerator:
    if kind not in DatasetGenerator.registry and kind in BUILTIN_GENERATORS:
        importlib.import_module(BUILTIN_GENERATORS[kind])
    try:
        cls = DatasetGenerator.registry[kind]
    except KeyError:
        known = ", ".join(sorted(set(DatasetGenerator.registry) | set(BUILTIN_GENERATORS)))
        raise ValueError(f"unknown dataset kind {kind!r}; known kinds: {known}") from None
    return cls(**params)


def permute_rows(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shuffle ``values`` along the example axis, breaking their link to the label."""
    return values[rng.permutation(len(values))]


def randomise_stacked_blocks(
    x: np.ndarray, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """S- and S^c-randomised copies of images (N, C, H, W) stacked from a simple block
    (rows ``[:rows]``) over a complex one: each block permuted across examples in turn."""
    s_rand = x.copy()
    s_rand[:, :, :rows] = permute_rows(x[:, :, :rows], rng)
    sc_rand = x.copy()
    sc_rand[:, :, rows:] = permute_rows(x[:, :, rows:], rng)
    return s_rand, sc_rand
