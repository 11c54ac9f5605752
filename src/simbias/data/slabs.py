"""LMS-k and MS-(5,7) slab datasets: one simple coordinate plus dim-1 complex slab coordinates.

Every coordinate lies in [-1, 1] and is drawn independently given the label from a
mixture of uniform intervals ("slabs"). Coordinate 0 is the simple one (linear or
5-slab); coordinates 1..dim-1 are the complex ones (5- or 7-slab). Neighbouring slabs
of opposite classes are separated by a gap of 2 * margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simbias.data.base import DatasetGenerator, DatasetSplits, Split, permute_rows

#: Half-width of the data range: every coordinate lies in [-WIDTH, WIDTH].
WIDTH = 1.0
SIMPLE_KINDS = ("linear", 5)
COMPLEX_SLAB_COUNTS = (5, 7)
#: Index of the simple coordinate before rotation.
SIMPLE_COORDINATE = 0


@dataclass(frozen=True)
class SlabLayout:
    """Where one coordinate's values lie for each class: a mixture of uniform intervals."""

    name: str
    slab_width: float
    #: label -> (k, 2) array of [low, high] intervals.
    intervals: dict[int, np.ndarray]
    #: label -> (k,) probabilities of each interval, summing to 1.
    probabilities: dict[int, np.ndarray]

    def to_params(self) -> dict[str, Any]:
        """The layout as JSON-serialisable values for the dataset card."""
        return {
            "name": self.name,
            "slab_width": float(self.slab_width),
            "intervals": {str(c): self.intervals[c].tolist() for c in (0, 1)},
            "probabilities": {str(c): self.probabilities[c].tolist() for c in (0, 1)},
        }


def _mirrored(offset: float, width: float, probability: float) -> list[tuple[float, float, float]]:
    """A slab [offset, offset + width] and its mirror image, sharing ``probability``
    equally (the same law as ``sign * (offset + width * U)`` with a fair sign)."""
    half = probability / 2
    return [(half, offset, offset + width), (half, -offset - width, -offset)]


def _layout(name: str, slab_width: float, components: dict[int, list]) -> SlabLayout:
    intervals = {c: np.array([[lo, hi] for _, lo, hi in comps]) for c, comps in components.items()}
    probabilities = {c: np.array([p for p, _, _ in comps]) for c, comps in components.items()}
    return SlabLayout(name, slab_width, intervals, probabilities)


def linear_layout(margin: float, width: float = WIDTH) -> SlabLayout:
    """x = (2y - 1) * (margin + (width - margin) * U): the sign of x is the label."""
    components = {0: [(1.0, -width, -margin)], 1: [(1.0, margin, width)]}
    return _layout("linear", width - margin, components)


def five_slab_layout(margin: float, width: float = WIDTH) -> SlabLayout:
    """Five slabs: negatives in the centre (p = 3/4) and outer slabs, positives between."""
    slab = (2 * width - 8 * margin) / 5
    inner = (width + 6 * margin) / 5
    outer = (3 * width + 8 * margin) / 5
    components = {
        0: [(3 / 4, -slab / 2, slab / 2), *_mirrored(outer, slab, 1 / 4)],
        1: _mirrored(inner, slab, 1.0),
    }
    return _layout("5-slab", slab, components)


def seven_slab_layout(margin: float, width: float = WIDTH) -> SlabLayout:
    """Seven slabs: negatives in the centre and second ring (p = 1/2 each), positives in
    the first ring (p = 7/8) and the outer ring (p = 1/8)."""
    slab = (2 * width - 12 * margin) / 7
    components = {
        0: [(1 / 2, -slab / 2, slab / 2), *_mirrored(1.5 * slab + 4 * margin, slab, 1 / 2)],
        1: [
            *_mirrored(0.5 * slab + 2 * margin, slab, 7 / 8),
            *_mirrored(2.5 * slab + 6 * margin, slab, 1 / 8),
        ],
    }
    return _layout("7-slab", slab, components)


def layout_for(kind: str | int, margin: float) -> SlabLayout:
    """The layout of a coordinate kind: "linear", 5 or 7."""
    if kind == "linear":
        return linear_layout(margin)
    if kind == 5:
        return five_slab_layout(margin)
    if kind == 7:
        return seven_slab_layout(margin)
    raise ValueError(f"unknown coordinate kind {kind!r}")


def max_margin(kind: str | int) -> float:
    """The largest margin (exclusive) that leaves a coordinate kind's slabs a positive width."""
    return {"linear": WIDTH, 5: WIDTH / 4, 7: WIDTH / 6}[kind]


def sample_coordinates(
    layout: SlabLayout, y: np.ndarray, n_coordinates: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n_coordinates`` independent coordinates per example from ``layout`` given y."""
    values = np.empty((len(y), n_coordinates))
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        intervals = layout.intervals[label]
        slab = rng.choice(
            len(intervals), size=(len(rows), n_coordinates), p=layout.probabilities[label]
        )
        low, high = intervals[slab, 0], intervals[slab, 1]
        values[rows] = low + (high - low) * rng.random((len(rows), n_coordinates))
    return values


def random_rotation(dim: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random orthonormal matrix: QR of a Gaussian matrix, signs fixed by diag(R)."""
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _require_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class SlabDataset(DatasetGenerator):
    """LMS-k (simple="linear") and MS-(5,7) (simple=5, complex_slabs=7) slab data.

    Splits are rotated as ``x @ Q`` by one orthonormal ``Q`` (see :meth:`rotation_matrix`);
    ``s_rand`` permutes the simple coordinate and ``sc_rand`` permutes the complex
    coordinates jointly (whole rows of the complex block), both before the rotation.
    """

    kind = "slabs"

    def __init__(
        self,
        *,
        n_train: int,
        n_test: int,
        dim: int = 50,
        simple: str | int = "linear",
        complex_slabs: int = 5,
        margin: float = 0.1,
        rotate: bool = True,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise ValueError(f"unknown slabs parameter(s): {', '.join(sorted(unknown))}")
        self.n_train = _require_int("n_train", n_train, 1)
        self.n_test = _require_int("n_test", n_test, 1)
        self.dim = _require_int("dim", dim, 2)
        if isinstance(simple, bool) or simple not in SIMPLE_KINDS:
            raise ValueError(f"simple must be one of {SIMPLE_KINDS}, got {simple!r}")
        if isinstance(complex_slabs, bool) or complex_slabs not in COMPLEX_SLAB_COUNTS:
            raise ValueError(
                f"complex_slabs must be one of {COMPLEX_SLAB_COUNTS}, got {complex_slabs!r}"
            )
        self.simple = simple
        self.complex_slabs = int(complex_slabs)
        self.margin = self._check_margin(margin)
        if not isinstance(rotate, bool | np.bool_):
            raise ValueError(f"rotate must be a bool, got {rotate!r}")
        self.rotate = bool(rotate)
        self.simple_layout = layout_for(self.simple, self.margin)
        self.complex_layout = layout_for(self.complex_slabs, self.margin)
        super().__init__(
            n_train=self.n_train,
            n_test=self.n_test,
            dim=self.dim,
            simple=self.simple,
            complex_slabs=self.complex_slabs,
            margin=self.margin,
            rotate=self.rotate,
        )

    def _check_margin(self, margin: Any) -> float:
        if isinstance(margin, bool) or not isinstance(margin, int | float | np.number):
            raise ValueError(f"margin must be a number, got {margin!r}")
        limit = min(max_margin(self.simple), max_margin(self.complex_slabs))
        if not 0 <= margin < limit:
            raise ValueError(f"margin must lie in [0, {limit:.4g}) for these slabs, got {margin!r}")
        return float(margin)

    @staticmethod
    def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
        """Separate data and rotation streams, so the unrotated data do not depend on
        ``rotate`` and the rotation can be rebuilt from the seed alone."""
        data_seq, rotation_seq = np.random.SeedSequence(seed).spawn(2)
        return np.random.default_rng(data_seq), np.random.default_rng(rotation_seq)

    def rotation_matrix(self, seed: int) -> np.ndarray:
        """The orthonormal Q (float64) that ``generate(seed)`` applies as ``x @ Q``; the
        identity when ``rotate`` is False. Undo it with ``x @ Q.T``."""
        if not self.rotate:
            return np.eye(self.dim)
        return random_rotation(self.dim, self._streams(seed)[1])

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Unrotated float64 inputs and int64 labels for ``n`` examples."""
        y = rng.integers(0, 2, size=n)
        x = np.empty((n, self.dim))
        x[:, :1] = sample_coordinates(self.simple_layout, y, 1, rng)
        x[:, 1:] = sample_coordinates(self.complex_layout, y, self.dim - 1, rng)
        return x, y.astype(np.int64)

    def generate(self, seed: int) -> DatasetSplits:
        data_rng, _ = self._streams(seed)
        x_train, y_train = self.sample(self.n_train, data_rng)
        x_test, y_test = self.sample(self.n_test, data_rng)
        x_s_rand = x_test.copy()
        x_s_rand[:, :1] = permute_rows(x_test[:, :1], data_rng)
        x_sc_rand = x_test.copy()
        x_sc_rand[:, 1:] = permute_rows(x_test[:, 1:], data_rng)

        rotation = self.rotation_matrix(seed)
        unrotated = {"train": x_train, "test": x_test, "s_rand": x_s_rand, "sc_rand": x_sc_rand}
        labels = {"train": y_train, "test": y_test, "s_rand": y_test, "sc_rand": y_test}
        splits = {
            name: Split(x=(x @ rotation).astype(np.float32), y=labels[name])
            for name, x in unrotated.items()
        }
        return DatasetSplits(splits=splits, params=self.card_params())

    def card_params(self) -> dict[str, Any]:
        """Constructor params plus the resolved geometry, for the dataset card."""
        return {
            "kind": self.kind,
            **self.params,
            "width": WIDTH,
            "simple_coordinate": SIMPLE_COORDINATE,
            "simple_layout": self.simple_layout.to_params(),
            "complex_layout": self.complex_layout.to_params(),
            "s_rand": "simple coordinate permuted across examples, before rotation",
            "sc_rand": "complex coordinates 1..dim-1 permuted jointly (one row permutation) "
            "across examples, before rotation",
            "rotation": (
                "x @ Q, Q = QR of a Gaussian matrix from the seed's second spawned stream"
                if self.rotate
                else None
            ),
        }
