"""Cue-conflict images made from real CIFAR-10: a paper-scale *approximation* of the
stylised cue-conflict ImageNet images of Geirhos et al. ("ImageNet-trained CNNs are biased
towards texture; increasing shape bias improves accuracy and robustness", ICLR 2019), for
the shape-bias analyses of Chen, Agarwal and Nguyen ("Shape-Texture Debiased Neural Network
Training" / "Shape or texture: understanding adversarially trained networks", 2020).

This is not Geirhos et al.'s set: there is no style transfer and no ImageNet. The two cues
are separated by simple, documented image operations on CIFAR-10 *test* images instead:

* **texture of class b**: a 32 x 32 x 3 image tiled from ``patch`` x ``patch`` crops of one
  class-``b`` test image, each crop at an independent random position (the tiling is
  cropped to 32 x 32 when ``patch`` does not divide 32). Local colour and texture
  statistics survive; the global object layout does not.
* **shape (structure) of class a**: the luminance ``0.299 R + 0.587 G + 0.114 B`` of one
  class-``a`` test image, low-pass filtered by a Gaussian blur of ``BLUR_SIGMA`` pixels
  (reflect padding), then contrast-normalised per image to [0, 1] (min -> 0, max -> 1; a
  flat image becomes 0.5). Fine texture and colour are removed; the coarse object
  structure stays.

The splits (as in :mod:`simbias.data.cue_conflict`, with the same attributes):

* ``train``: real CIFAR-10 training images (all 50 000, or a seeded subset of ``n_train``),
  ``y`` = class; ``test``: the full 10 000 CIFAR-10 test images, ``y`` = class. Both carry
  ``shape_label = texture_label = y`` (in a natural image the cues agree).
* ``conflict``: ``x = texture(B) * (CONFLICT_FLOOR + (1 - CONFLICT_FLOOR) * structure(A))``
  with ``CONFLICT_FLOOR = 0.25``: the class-``a`` structure modulates the brightness of the
  class-``b`` texture, ``b != a`` uniform over the other classes; ``y = a`` (the shape),
  ``shape_label = a``, ``texture_label = b``.
* ``shape_only``: ``structure(A)`` in grey (the same value in all three channels); ``y = a``,
  ``texture_label = -1``.
* ``texture_only``: ``texture(B)`` alone; ``y = b``, ``shape_label = -1``.
* ``colour_only``: a flat image of one class-``b`` test image's mean colour (per channel);
  ``y = b``, ``shape_label = -1``.

Each probe split has ``n_probe`` images; its classes are balanced (counts differ by at most
one) over the classes present in the test batch (all ten for real CIFAR-10), and source
images are drawn per class without replacement while the class has enough test images.
The probes use test images only, so no probe image shares a source with a training image.
Everything is deterministic from the seed: the train subset and the probes use independent
child streams of ``SeedSequence(seed)``, so the probes do not change with ``n_train``.
Pixels are float32 in [0, 1] (``input_range = (0, 1)``). Files are verified against md5s
exactly as :class:`simbias.data.real.Cifar10` does (``checksums`` overrides the table, for
tests), and the verified digests are recorded in the card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from simbias.data.base import DatasetGenerator, DatasetSplits, Split
from simbias.data.cue_conflict import PROBE_SPLITS, balanced_labels
from simbias.data.real import _unit_float, cifar10_uint8_splits

IMAGE_SIZE = 32
#: Standard deviation (pixels) of the Gaussian low-pass that turns luminance into structure.
BLUR_SIGMA = 1.0
#: Brightness of the texture where the structure is 0 (at structure 1 it is the texture).
CONFLICT_FLOOR = 0.25
#: ITU-R BT.601 luma weights (R, G, B).
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)
MIN_PATCH, MAX_PATCH = 2, 16


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _problems(n_train: Any, n_probe: Any, patch: Any) -> list[str]:
    problems = []
    if n_train is not None and not (_is_int(n_train) and n_train >= 1):
        problems.append(f"n_train must be None or an integer >= 1, got {n_train!r}")
    if not (_is_int(n_probe) and n_probe >= 1):
        problems.append(f"n_probe must be an integer >= 1, got {n_probe!r}")
    if not (_is_int(patch) and MIN_PATCH <= patch <= MAX_PATCH):
        problems.append(f"patch must be an integer in [{MIN_PATCH}, {MAX_PATCH}], got {patch!r}")
    return problems


class CifarCueConflict(DatasetGenerator):
    """Real CIFAR-10 train/test plus cue-conflict probe splits built from test images (see
    the module docstring for the construction and its approximations)."""

    kind = "cifar_cue_conflict"
    extra_splits: ClassVar[tuple[str, ...]] = PROBE_SPLITS

    def __init__(
        self,
        *,
        root: str | Path,
        download: bool = False,
        n_train: int | None = None,
        n_probe: int = 1000,
        patch: int = 8,
        checksums: dict[str, str] | None = None,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise ValueError(
                f"unknown cifar_cue_conflict parameter(s): {', '.join(sorted(unknown))}"
            )
        problems = _problems(n_train, n_probe, patch)
        if problems:
            raise ValueError("cifar_cue_conflict: " + "; ".join(problems))
        self.root = Path(root)
        self.download = bool(download)
        self.n_train = None if n_train is None else int(n_train)
        self.n_probe = int(n_probe)
        self.patch = int(patch)
        self.checksums = checksums
        super().__init__(
            root=str(root),
            download=self.download,
            n_train=self.n_train,
            n_probe=self.n_probe,
            patch=self.patch,
        )

    def generate(self, seed: int) -> DatasetSplits:
        train_rng, probe_rng = (
            np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)
        )
        (x_train, y_train), (x_test, y_test), verified = cifar10_uint8_splits(
            self.root, self.download, self.checksums, self.n_train, train_rng
        )
        classes = np.unique(y_test)
        if len(classes) < 2:
            raise ValueError(f"cue-conflict images need >= 2 test classes, found {classes}")
        splits = {
            "train": _labelled(_unit_float(x_train), y_train, y_train, y_train),
            "test": _labelled(_unit_float(x_test), y_test, y_test, y_test),
            **self._probes(x_test, y_test, classes, probe_rng),
        }
        params = {
            "kind": self.kind,
            **self.params,
            "md5_verified": verified,
            "classes": [int(c) for c in classes],
            "test": "the full CIFAR-10 test set",
            "probe_source": "CIFAR-10 test images",
            "texture": f"32x32 tiling of {self.patch}x{self.patch} crops at random positions "
            "of one texture-class test image",
            "shape": f"luminance (BT.601) of one shape-class test image, Gaussian blur "
            f"sigma={BLUR_SIGMA} px, min-max normalised to [0, 1]",
            "conflict": f"texture(b) * ({CONFLICT_FLOOR} + {1 - CONFLICT_FLOOR} * shape(a)), y = a",
            "shape_only": "shape(a) in grey (equal channels), y = a",
            "texture_only": "texture(b), y = b",
            "colour_only": "flat mean colour of one class-b test image, y = b",
            "approximation_of": "Geirhos et al. 2019 stylised cue-conflict ImageNet "
            "(no style transfer)",
        }
        return DatasetSplits(splits=splits, params=params, input_range=(0.0, 1.0))

    def _probes(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        classes: np.ndarray,
        rng: np.random.Generator,
    ) -> dict[str, Split]:
        """The four probe splits from uint8 test ``images`` (N, 3, 32, 32) and ``labels``."""
        n, k, patch = self.n_probe, len(classes), self.patch
        pools = {int(c): np.flatnonzero(labels == c) for c in classes}
        absent = np.full(n, -1, dtype=np.int64)

        # conflict: shape a, texture b != a (uniform over the other classes).
        index = balanced_labels(n, k, rng)
        shape = classes[index]
        texture = classes[(index + rng.integers(1, k, size=n)) % k]
        structure = luminance_structure(images[_sources(shape, pools, rng)])
        tiled = tile_texture(images[_sources(texture, pools, rng)], patch, rng)
        x = tiled * (CONFLICT_FLOOR + (1 - CONFLICT_FLOOR) * structure[:, None])
        conflict = _labelled(x, shape, shape, texture)

        shape = classes[balanced_labels(n, k, rng)]
        structure = luminance_structure(images[_sources(shape, pools, rng)])
        grey = np.repeat(structure[:, None], 3, axis=1)
        shape_only = _labelled(grey, shape, shape, absent)

        texture = classes[balanced_labels(n, k, rng)]
        tiled = tile_texture(images[_sources(texture, pools, rng)], patch, rng)
        texture_only = _labelled(tiled, texture, absent, texture)

        texture = classes[balanced_labels(n, k, rng)]
        source = _unit_float(images[_sources(texture, pools, rng)])
        mean = source.mean(axis=(2, 3), keepdims=True, dtype=np.float64)
        flat = np.broadcast_to(mean, source.shape)
        colour_only = _labelled(flat, texture, absent, texture)
        return {
            "conflict": conflict,
            "shape_only": shape_only,
            "texture_only": texture_only,
            "colour_only": colour_only,
        }


def _labelled(x: np.ndarray, y: np.ndarray, shape: np.ndarray, texture: np.ndarray) -> Split:
    return Split(
        x=np.ascontiguousarray(np.clip(x, 0.0, 1.0), dtype=np.float32),
        y=np.asarray(y, dtype=np.int64),
        attributes={
            "shape_label": np.asarray(shape, dtype=np.int64),
            "texture_label": np.asarray(texture, dtype=np.int64),
        },
    )


def _sources(
    wanted: np.ndarray, pools: dict[int, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """One test-image index per entry of ``wanted`` (class labels), drawn from the class's
    images without replacement while it has enough, with replacement otherwise."""
    out = np.empty(len(wanted), dtype=np.int64)
    for cls, pool in pools.items():
        rows = np.flatnonzero(wanted == cls)
        if len(rows):
            out[rows] = rng.choice(pool, size=len(rows), replace=len(rows) > len(pool))
    return out


def tile_texture(images: np.ndarray, patch: int, rng: np.random.Generator) -> np.ndarray:
    """Texture images (N, 3, 32, 32), float32 in [0, 1]: each a grid of ``patch`` x
    ``patch`` crops of the matching uint8 image (N, 3, H, W) at random positions (row-major,
    the grid cropped to 32 x 32)."""
    n, _, height, width = images.shape
    grid = -(-IMAGE_SIZE // patch)  # tiles per side, rounded up
    windows = np.lib.stride_tricks.sliding_window_view(images, (patch, patch), axis=(2, 3))
    rows = rng.integers(0, height - patch + 1, size=(n, grid * grid))
    cols = rng.integers(0, width - patch + 1, size=(n, grid * grid))
    tiles = windows[np.arange(n)[:, None], :, rows, cols]  # (N, tiles, 3, patch, patch)
    tiles = tiles.reshape(n, grid, grid, 3, patch, patch).transpose(0, 3, 1, 4, 2, 5)
    tiled = tiles.reshape(n, 3, grid * patch, grid * patch)[:, :, :IMAGE_SIZE, :IMAGE_SIZE]
    return _unit_float(tiled)


def luminance_structure(images: np.ndarray, sigma: float = BLUR_SIGMA) -> np.ndarray:
    """Structure maps (N, H, W), float32 in [0, 1], of uint8 images (N, 3, H, W): luminance,
    Gaussian-blurred (``sigma`` pixels, reflect padding), min-max normalised per image (a
    flat map becomes 0.5)."""
    luma = np.einsum("c,nchw->nhw", LUMA, images.astype(np.float64) / 255)
    blurred = _gaussian_blur(luma, sigma)
    low = blurred.min(axis=(1, 2), keepdims=True)
    span = blurred.max(axis=(1, 2), keepdims=True) - low
    safe = np.where(span > 1e-12, span, 1.0)
    out = np.where(span > 1e-12, (blurred - low) / safe, 0.5)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _gaussian_blur(maps: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of (N, H, W) maps, reflect-padded, kernel radius 3 sigma."""
    radius = max(1, int(np.ceil(3 * sigma)))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel /= kernel.sum()
    out = maps
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="reflect")
        length = out.shape[axis]
        out = sum(
            weight * np.take(padded, np.arange(i, i + length), axis=axis)
            for i, weight in enumerate(kernel)
        )
    return out
