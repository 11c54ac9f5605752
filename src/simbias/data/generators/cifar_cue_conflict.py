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

The splits (as in :mod:`simbias.data.generators.cue_conflict`, with the same attributes):

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
exactly as the cifar10 kind does (``checksums`` overrides the table, for
tests), and the verified digests are recorded in the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from simbias.data.base import (
    GENERATORS,
    PROBE_SPLITS,
    DatasetGenerator,
    DatasetSplits,
    Split,
    balanced_labels,
)
from simbias.data.cifar_cues import BLUR_SIGMA, luminance_structure, tile_texture
from simbias.data.real import DownloadedParams, cifar10_uint8_splits, unit_float
from simbias.params import param

#: Brightness of the texture where the structure is 0 (at structure 1 it is the texture).
CONFLICT_FLOOR = 0.25


@dataclass(frozen=True, kw_only=True)
class CifarCueConflictParams(DownloadedParams):
    """The cifar_cue_conflict kind's parameters."""

    n_train: int | None = param(
        None,
        description="Seeded subset of the 50 000 training images (default all).",
        minimum=1,
    )
    n_probe: int = param(1000, description="Images in each probe set.", minimum=1)
    patch: int = param(8, description="Side of the texture patches.", minimum=2, maximum=16)


@GENERATORS.register(
    "cifar_cue_conflict",
    provides=("train_split", "labels", "images", "probe_splits"),
    params=CifarCueConflictParams,
    caption="""Paper scale: cue conflict from real CIFAR-10
    (simbias.data.generators.cifar_cue_conflict); textures are tiled patches of one class's
    image, shapes the blurred luminance of another's (an approximation of the stylised
    ImageNet set).""",
)
class CifarCueConflict(DatasetGenerator):
    """Real CIFAR-10 train/test plus cue-conflict probe splits built from test images (see
    the module docstring for the construction and its approximations). ``checksums``
    overrides :data:`simbias.data.real_files.CHECKSUMS`, for tests."""

    params: CifarCueConflictParams
    extra_splits: ClassVar[tuple[str, ...]] = PROBE_SPLITS

    def __init__(
        self, params: CifarCueConflictParams, checksums: dict[str, str] | None = None
    ) -> None:
        super().__init__(params)
        self.checksums = checksums

    def generate(self, seed: int) -> DatasetSplits:
        train_rng, probe_rng = (
            np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)
        )
        p = self.params
        (x_train, y_train), (x_test, y_test), verified = cifar10_uint8_splits(
            Path(p.root), p.download, self.checksums, p.n_train, train_rng
        )
        classes = np.unique(y_test)
        if len(classes) < 2:
            raise ValueError(f"cue-conflict images need >= 2 test classes, found {classes}")
        splits = {
            "train": _labelled(unit_float(x_train), y_train, y_train, y_train),
            "test": _labelled(unit_float(x_test), y_test, y_test, y_test),
            **self._probes(x_test, y_test, classes, probe_rng),
        }
        params = self.card(
            md5_verified=verified,
            classes=[int(c) for c in classes],
            test="the full CIFAR-10 test set",
            probe_source="CIFAR-10 test images",
            texture=f"32x32 tiling of {p.patch}x{p.patch} crops at random positions "
            "of one texture-class test image",
            shape=f"luminance (BT.601) of one shape-class test image, Gaussian blur "
            f"sigma={BLUR_SIGMA} px, min-max normalised to [0, 1]",
            conflict=f"texture(b) * ({CONFLICT_FLOOR} + {1 - CONFLICT_FLOOR} * shape(a)), y = a",
            shape_only="shape(a) in grey (equal channels), y = a",
            texture_only="texture(b), y = b",
            colour_only="flat mean colour of one class-b test image, y = b",
            approximation_of="Geirhos et al. 2019 stylised cue-conflict ImageNet "
            "(no style transfer)",
        )
        return DatasetSplits(splits=splits, params=params, input_range=(0.0, 1.0))

    def _probes(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        classes: np.ndarray,
        rng: np.random.Generator,
    ) -> dict[str, Split]:
        """The four probe splits from uint8 test ``images`` (N, 3, 32, 32) and ``labels``."""
        n, k, patch = self.params.n_probe, len(classes), self.params.patch
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
        source = unit_float(images[_sources(texture, pools, rng)])
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
