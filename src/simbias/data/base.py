"""What every dataset generator returns, and the catalogue that finds it by kind."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from simbias.components import Catalogue
from simbias.params import Params, param

#: Every dataset kind: one module of ``simbias.data.generators`` each, named after it.
GENERATORS = Catalogue("dataset kind", "simbias.data.generators")

#: Every dataset has these splits.
REQUIRED_SPLITS = ("train", "test")
#: Simplicity-bias probes: ``s_rand`` has the simple feature permuted across
#: examples, ``sc_rand`` every complex feature. Datasets with a simple/complex
#: structure write them; other datasets (plain classification tasks) do not.
SB_SPLITS = ("s_rand", "sc_rand")
SPLITS = REQUIRED_SPLITS + SB_SPLITS
#: The probe splits of every cue-conflict dataset, besides train and test.
PROBE_SPLITS = ("conflict", "shape_only", "texture_only", "colour_only")
#: Split names become file names: keep them to safe identifiers.
SPLIT_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


#: Whether the training split's simple feature carries the label (``train_simple``, a
#: parameter of the kinds with a simple/complex structure). "permuted" is the control of
#: extreme simplicity bias: the simple feature is permuted across training examples, as
#: ``s_rand`` permutes it across test examples, so it carries no label signal in training.
TrainSimple = Literal["informative", "permuted"]


def train_simple_param() -> Any:
    """The ``train_simple`` field of a generator's parameters."""
    return param(
        "informative",
        description='"permuted": the simple feature is permuted across training examples '
        "(the s_rand randomisation, applied to train), so it carries no label signal in "
        "training; test, s_rand and sc_rand are unchanged.",
    )


@dataclass
class Split:
    """Inputs ``x`` (float32, N x ...) and integer labels ``y`` (int64, N), or real-valued
    targets (float32, N x ...: the in-context-regression prompts' outputs), plus optional
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
    #: A dataset whose training data is a stream of fresh examples drawn while training
    #: (simbias.data.prompt_stream: in-context regression prompts) says so here, in the
    #: card's ``stream`` entry; it has no train split, only held-out ones.
    stream: dict[str, Any] | None = None
    #: A stored regression dataset (a coordinate network's signal: y real-valued, N x
    #: outputs) gives its number of outputs here: the card's ``n_classes`` is then the
    #: network's output width, and y is stored as float32, not as class labels.
    regression_outputs: int | None = None

    def __post_init__(self) -> None:
        required = ("test",) if self.stream is not None else REQUIRED_SPLITS
        missing = set(required) - set(self.splits)
        if missing:
            raise ValueError(f"dataset is missing splits {sorted(missing)}")
        for name in self.splits:
            if not name or set(name) - SPLIT_NAME_CHARS:
                raise ValueError(f"split name {name!r} must be lower-case letters, digits, _")


def _number_type(hint: Any) -> type | None:
    """int or float for a field typed ``int``/``float`` (or either ``| None``), else None."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = options[0] if len(options) == 1 else None
    return hint if hint in (int, float) else None


@dataclass(frozen=True, kw_only=True)
class GeneratorParams(Params):
    """Parameters of a dataset kind. A number takes its field's type (a config may write 1
    for 1.0, and JSON schema counts 2.0 as an integer), so generators compute with, and
    cards record, what the field says."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), _number_type(hints[f.name])
            if isinstance(value, bool):
                continue
            if (kind is float and isinstance(value, int)) or (
                kind is int and isinstance(value, float) and value.is_integer()
            ):
                object.__setattr__(self, f.name, kind(value))


class DatasetGenerator:
    """A dataset kind: built from its checked parameters, generates all splits from a seed."""

    #: The splits ``generate`` returns besides train and test.
    extra_splits: ClassVar[tuple[str, ...]] = SB_SPLITS

    def __init__(self, params: GeneratorParams) -> None:
        self.params = params

    @property
    def kind(self) -> str:
        """The kind this generator is registered as: its module's name."""
        return type(self).__module__.rsplit(".", 1)[-1]

    def card(self, **facts: Any) -> dict[str, Any]:
        """The dataset card's ``generator`` entry: the kind, its parameters, then ``facts``
        (the generator's constants and what it drew), in that order."""
        return {"kind": self.kind, **self.params.to_dict(), **facts}

    def generate(self, seed: int) -> DatasetSplits:
        raise NotImplementedError


def get_generator(kind: str, params: dict[str, Any]) -> DatasetGenerator:
    """The generator of dataset ``kind`` with ``params`` checked against its schema (errors
    name the parameter); imports only that kind's module."""
    entry = GENERATORS.get(kind)
    return entry.obj(entry.params.from_dict(params, f"dataset kind {kind} params"))


#: Per-example attributes of the datasets with a simple and a complex feature, in every
#: split: the class that example's simple (complex) feature indicates. Both equal y where
#: the features are the example's own; a randomised feature (``s_rand``, ``sc_rand``, a
#: permuted training split) indicates the label of the example it was moved from.
SIMPLE_LABEL = "simple_label"
COMPLEX_LABEL = "complex_label"
#: The feature label of an example that lacks that feature (a patches example whose feature
#: slot holds noise): it indicates no class.
NO_FEATURE = -1


def feature_labels(simple: np.ndarray, complex_: np.ndarray) -> dict[str, np.ndarray]:
    """The ``simple_label`` and ``complex_label`` attributes of a split, as int64."""
    return {
        SIMPLE_LABEL: np.asarray(simple, dtype=np.int64),
        COMPLEX_LABEL: np.asarray(complex_, dtype=np.int64),
    }


def permute_rows(values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle ``values`` along the example axis, breaking their link to the label; also
    the permutation ``perm`` (row i of the result is row ``perm[i]`` of ``values``)."""
    perm = rng.permutation(len(values))
    return values[perm], perm


def balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` labels in ``0..k-1``, counts differing by at most one, in random order."""
    return rng.permutation(np.arange(n) % k).astype(np.int64)


def permute_simple_block(
    x: np.ndarray, rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A copy of images (N, C, H, W) stacked from a simple block (rows ``[:rows]``) over a
    complex one, the simple blocks permuted across examples (the ``s_rand`` randomisation),
    and the permutation (example i's simple block is example ``perm[i]``'s)."""
    out = x.copy()
    out[:, :, :rows], perm = permute_rows(x[:, :, :rows], rng)
    return out, perm


def randomise_stacked_blocks(
    x: np.ndarray, rows: int, rng: np.random.Generator
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """S- and S^c-randomised copies of images (N, C, H, W) stacked from a simple block
    (rows ``[:rows]``) over a complex one: each block permuted across examples in turn.
    Each copy comes with its permutation, as ``((s_rand, s_perm), (sc_rand, sc_perm))``."""
    s_rand, s_perm = permute_simple_block(x, rows, rng)
    sc_rand = x.copy()
    sc_rand[:, :, rows:], sc_perm = permute_rows(x[:, :, rows:], rng)
    return (s_rand, s_perm), (sc_rand, sc_perm)


def stacked_block_splits(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    rows: int,
    train_simple: TrainSimple,
    rng: np.random.Generator,
) -> dict[str, Split]:
    """The four splits of a dataset of images stacked from a simple block (rows
    ``[:rows]``) over a complex one, both of the example's label: train and test as given
    (``(x, y)``), S- and S^c-randomised copies of test, and with ``train_simple="permuted"``
    the training simple blocks permuted across examples (drawn after the test copies). Each
    split's attributes are its examples' simple and complex labels."""
    (x_train, y_train), (x_test, y_test) = train, test
    (x_s_rand, s_perm), (x_sc_rand, sc_perm) = randomise_stacked_blocks(x_test, rows, rng)
    simple = y_train
    if train_simple == "permuted":
        x_train, train_perm = permute_simple_block(x_train, rows, rng)
        simple = y_train[train_perm]
    return {
        "train": Split(x_train, y_train, feature_labels(simple, y_train)),
        "test": Split(x_test, y_test, feature_labels(y_test, y_test)),
        "s_rand": Split(x_s_rand, y_test, feature_labels(y_test[s_perm], y_test)),
        "sc_rand": Split(x_sc_rand, y_test, feature_labels(y_test, y_test[sc_perm])),
    }
