"""An image as a function of pixel coordinates: Tancik et al. 2020's 2-d image regression
(tancik/fourier-feature-networks, Demo.ipynb), on an image scikit-learn ships (no download).

A centred square crop of the image, averaged down to ``size`` x ``size`` pixels, RGB in
[0, 1]; inputs are the pixel coordinates on the unit square, ``linspace(0, 1, size,
endpoint=False)`` on both axes (as the demo's ``np.meshgrid(coords, coords)``). The
training split is every second pixel in both directions (the demo's ``[::2, ::2]``); the
test split is the other three quarters, which the network never sees (the demo reports
PSNR on all pixels; its train pixels are a quarter of them). Targets are (N, 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class ImageRegressionParams(GeneratorParams):
    """The image_regression kind's parameters."""

    image: Literal["china.jpg", "flower.jpg"] = param(
        "china.jpg",
        description="scikit-learn's sample image (sklearn.datasets.load_sample_image).",
    )
    size: int = param(
        64,
        description="Side of the square image in pixels after averaging down the centred"
        " crop (Tancik et al.'s demo: 512, a centred crop of a photograph).",
        minimum=4,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.size % 2:
            raise ValueError(f"size must be even (every second pixel trains), got {self.size}")


def square_image(image: np.ndarray, size: int) -> np.ndarray:
    """The centred square crop of ``image`` (H, W, C) averaged down to (size, size, C) by
    blocks of f x f pixels, f = min(H, W) // size."""
    height, width = image.shape[:2]
    factor = min(height, width) // size
    if factor < 1:
        raise ValueError(f"the image ({height} x {width}) is smaller than size {size}")
    side = factor * size
    top, left = (height - side) // 2, (width - side) // 2
    crop = image[top : top + side, left : left + side].astype(np.float64)
    return crop.reshape(size, factor, size, factor, -1).mean(axis=(1, 3))


def pixel_coordinates(size: int) -> np.ndarray:
    """(size, size, 2) coordinates on the unit square, as the demo's meshgrid: [..., 0]
    runs along a row (x), [..., 1] down a column (y)."""
    coords = np.linspace(0, 1, size, endpoint=False)
    return np.stack(np.meshgrid(coords, coords), axis=-1)


def training_pixels(size: int) -> np.ndarray:
    """A (size, size) mask of the training pixels: every second one in both directions."""
    mask = np.zeros((size, size), dtype=bool)
    mask[::2, ::2] = True
    return mask


@GENERATORS.register(
    "image_regression",
    provides=("train_split", "image_pixels"),
    params=ImageRegressionParams,
    caption="An image as RGB against pixel coordinates, trained on every second pixel"
    " (Tancik et al. 2020's image regression; simbias.data.generators.image_regression).",
)
class ImageRegressionDataset(DatasetGenerator):
    params: ImageRegressionParams
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> DatasetSplits:
        from sklearn.datasets import load_sample_image

        p = self.params
        image = square_image(load_sample_image(p.image) / 255.0, p.size)
        coords = pixel_coordinates(p.size)
        train = training_pixels(p.size)
        rows, cols = np.indices((p.size, p.size))
        splits = {
            name: Split(
                x=coords[mask].astype(np.float32),
                y=image[mask].astype(np.float32),
                # Where each pixel sits, to draw a split back as an image.
                attributes={"row": rows[mask], "col": cols[mask]},
            )
            for name, mask in (("train", train), ("test", ~train))
        }
        return DatasetSplits(
            splits, params=self.card_params(), input_range=(0.0, 1.0), regression_outputs=3
        )

    def card_params(self) -> dict[str, Any]:
        return self.card(source="sklearn.datasets.load_sample_image")
