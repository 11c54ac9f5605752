"""The slab geometry of the LMS-k and MS-(5,7) datasets (simbias.data.generators.slabs).

Every coordinate lies in [-1, 1] and is drawn independently given the label from a
mixture of uniform intervals ("slabs"). Coordinate 0 is the simple one (linear or
5-slab); coordinates 1..dim-1 are the complex ones (5- or 7-slab). Neighbouring slabs
of opposite classes are separated by a gap of 2 * margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Half-width of the data range: every coordinate lies in [-WIDTH, WIDTH].
WIDTH = 1.0
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
