"""The signed distance field (SDF) of a 2-d shape with thin parts, as a function of the
coordinates: the 2-d version of the coordinate network that DebSDF (Xiao et al. 2023,
code DavidXu-JJ/DebSDF) fits to a scene, whose thin structures such networks lose.

The shape: a thick disc (radius ``thick_radius`` at the origin) and, apart from it, thin
parts of width ``thin_width``: a ring (centre radius ``ring_radius`` about the origin) and
two bars (capsules) across the corners of [-1, 1]^2. Each primitive's SDF is exact (disc
|p| - r, ring ||p| - R| - w/2, capsule dist(p, segment) - w/2); the shape's SDF is their
minimum, exact everywhere because the primitives are pairwise disjoint (min is the exact
union SDF outside; inside one primitive, its nearest boundary point lies outside all the
others, so no other changes the distance to the complement; a union of overlapping parts
would make min only a bound inside). Negative inside, positive outside.

Points: the centres of a ``size`` x ``size`` grid of cells on [-1, 1]^2, ``x = -1 + (j +
1/2) 2/size``. As image_regression (Tancik et al.'s demo), the training split is every
second point in both directions, the test split the other three quarters. Each point
carries its region: ``thin`` within ``band`` of a thin part's boundary (|SDF| <= band, the
nearest part thin), ``thick`` within ``band`` of the disc's boundary, neither elsewhere.
The shape is fixed: the seed draws nothing (the runs' seeds vary the networks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.params import param

#: The thin bars' end points: one across each of two opposite corners, clear of the ring.
BARS = (((0.55, 0.95), (0.95, 0.55)), ((-0.95, -0.55), (-0.55, -0.95)))
#: The per-point region attributes (booleans) of every split.
REGIONS = ("thin", "thick")


@dataclass(frozen=True, kw_only=True)
class ThinShapeSdfParams(GeneratorParams):
    """The thin_shape_sdf kind's parameters."""

    size: int = param(
        64,
        description="Grid cells per side on [-1, 1]^2 (cell 2 / size; Tancik et al.'s image"
        " demo's 512 pixels a side).",
        minimum=4,
    )
    thick_radius: float = param(0.4, description="Radius of the thick disc.", exclusive_minimum=0)
    ring_radius: float = param(
        0.7, description="Radius of the thin ring's centre line.", exclusive_minimum=0
    )
    thin_width: float = param(
        0.08,
        description="Width of the thin ring and bars (2.6 cells at size 64).",
        exclusive_minimum=0,
    )
    band: float = param(
        0.0625,
        description="A point belongs to a part's region within this distance of its boundary"
        " (2 cells at size 64).",
        exclusive_minimum=0,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.size % 2:
            raise ValueError(f"size must be even (every second point trains), got {self.size}")
        half = self.thin_width / 2
        if self.ring_radius - half <= self.thick_radius:
            raise ValueError(
                f"the ring (ring_radius {self.ring_radius} - thin_width / 2 = "
                f"{self.ring_radius - half:g}) must lie outside the disc (thick_radius "
                f"{self.thick_radius}): disjoint parts, so the SDF is exact"
            )
        bars = min(np.hypot(*np.mean(bar, axis=0)) for bar in BARS) - half
        if self.ring_radius + half >= bars:
            raise ValueError(
                f"the ring (ring_radius {self.ring_radius} + thin_width / 2 = "
                f"{self.ring_radius + half:g}) must lie inside the corner bars (nearest at "
                f"{bars:.3f} from the centre): disjoint parts, so the SDF is exact"
            )


def grid_points(size: int) -> np.ndarray:
    """(size, size, 2) cell centres on [-1, 1]^2: [..., 0] runs along a row (x), [..., 1]
    down a column (y)."""
    coords = -1 + (np.arange(size) + 0.5) * 2 / size
    return np.stack(np.meshgrid(coords, coords), axis=-1)


def disc_sdf(points: np.ndarray, radius: float) -> np.ndarray:
    return np.linalg.norm(points, axis=-1) - radius


def ring_sdf(points: np.ndarray, radius: float, width: float) -> np.ndarray:
    return np.abs(np.linalg.norm(points, axis=-1) - radius) - width / 2


def capsule_sdf(points: np.ndarray, start: Any, end: Any, width: float) -> np.ndarray:
    """Distance to the segment start-end, less half the width."""
    a, b = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    along = np.clip(((points - a) @ (b - a)) / ((b - a) @ (b - a)), 0.0, 1.0)
    return np.linalg.norm(points - a - along[..., None] * (b - a), axis=-1) - width / 2


def part_sdfs(points: np.ndarray, p: ThinShapeSdfParams) -> tuple[np.ndarray, np.ndarray]:
    """The SDF of the thick part and of the union of the thin parts at ``points``."""
    thin = [ring_sdf(points, p.ring_radius, p.thin_width)]
    thin += [capsule_sdf(points, start, end, p.thin_width) for start, end in BARS]
    return disc_sdf(points, p.thick_radius), np.min(thin, axis=0)


def shape_sdf(points: np.ndarray, p: ThinShapeSdfParams) -> np.ndarray:
    """The exact SDF of the whole shape (the parts are disjoint)."""
    return np.minimum(*part_sdfs(points, p))


def regions(points: np.ndarray, p: ThinShapeSdfParams) -> dict[str, np.ndarray]:
    """``thin`` / ``thick``: within ``band`` of the boundary of the nearest part, thin or
    thick (the nearest part is the one whose SDF is the minimum)."""
    thick, thin = part_sdfs(points, p)
    near = np.abs(np.minimum(thick, thin)) <= p.band
    return {"thin": near & (thin < thick), "thick": near & (thick <= thin)}


def training_points(size: int) -> np.ndarray:
    """A (size, size) mask of the training points: every second one in both directions."""
    mask = np.zeros((size, size), dtype=bool)
    mask[::2, ::2] = True
    return mask


@GENERATORS.register(
    "thin_shape_sdf",
    provides=("train_split", "sdf_regions"),
    params=ThinShapeSdfParams,
    caption="The exact signed distance field of a thick disc beside a thin ring and thin"
    " bars on a grid of [-1, 1]^2, trained on every second point, each point labelled thin"
    " or thick by the part whose boundary it is near (simbias.data.generators"
    ".thin_shape_sdf).",
)
class ThinShapeSdfDataset(DatasetGenerator):
    params: ThinShapeSdfParams
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        points = grid_points(p.size)
        sdf = shape_sdf(points, p)
        labels = regions(points, p)
        train = training_points(p.size)
        rows, cols = np.indices((p.size, p.size))
        splits = {
            name: Split(
                x=points[mask].astype(np.float32),
                y=sdf[mask][:, None].astype(np.float32),
                # Where each point sits (to draw a split back as an image) and its region.
                attributes={
                    "row": rows[mask],
                    "col": cols[mask],
                    **{region: labels[region][mask] for region in REGIONS},
                },
            )
            for name, mask in (("train", train), ("test", ~train))
        }
        return DatasetSplits(
            splits, params=self.card(bars=[list(map(list, bar)) for bar in BARS]),
            input_range=(-1.0, 1.0), regression_outputs=1,
        )  # fmt: skip
