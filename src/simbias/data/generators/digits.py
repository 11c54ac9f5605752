"""scikit-learn's bundled 8x8 digits as a small 10-class image task (no download).

A plain classification task with no designed simple/complex split, used where a regime
should improve in-distribution accuracy (USEFUL). Images are upscaled, shifted by up to
``max_shift`` pixels and given pixel noise, so the task is not trivially memorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.nn import functional as F

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class DigitsParams(GeneratorParams):
    """The digits kind's parameters."""

    size: int = param(16, description="Side of the upscaled image.", minimum=8)
    test_fraction: float = param(
        0.3, description="Share of images held out.", exclusive_minimum=0, exclusive_maximum=1
    )
    noise: float = param(0.1, description="Std of the pixel noise.", minimum=0)
    max_shift: int = param(1, description="Random shift in pixels.", minimum=0)
    copies: int = param(1, description="Noisy copies of each training image.", minimum=1)
    center: bool = param(
        False,
        description="Subtract the training images' mean image from both splits (Cohen et"
        " al. 2021, locuslab/edge-of-stability src/cifar.py center): inputs then no longer"
        " lie in [0, 1].",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_shift >= self.size // 2:
            limit = self.size // 2
            raise ValueError(f"max_shift must be < size // 2 = {limit}, got {self.max_shift}")


@GENERATORS.register(
    "digits",
    provides=("train_split", "labels", "images"),
    params=DigitsParams,
    caption="scikit-learn's bundled 8x8 digits, upscaled (simbias.data.generators.digits).",
)
class DigitsDataset(DatasetGenerator):
    params: DigitsParams
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        digits = load_digits()
        images = digits.images.astype(np.float32) / 16.0
        train_idx, test_idx = train_test_split(
            np.arange(len(images)),
            test_size=p.test_fraction,
            stratify=digits.target,
            random_state=seed,
        )
        splits = {}
        for name, index, copies in (("train", train_idx, p.copies), ("test", test_idx, 1)):
            index = np.tile(index, copies)
            x = self._render(images[index], rng)
            splits[name] = Split(x=x, y=digits.target[index].astype(np.int64))
        if p.center:
            mean = splits["train"].x.mean(axis=0)
            for name, split in splits.items():
                splits[name] = Split(x=(split.x - mean).astype(np.float32), y=split.y)
        input_range = None if p.center else (0.0, 1.0)
        return DatasetSplits(splits, params=self.card_params(), input_range=input_range)

    def _render(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.params
        big = F.interpolate(
            torch.from_numpy(images)[:, None],
            size=(p.size, p.size),
            mode="bilinear",
            align_corners=False,
        ).numpy()
        shifts = rng.integers(-p.max_shift, p.max_shift + 1, size=(len(big), 2))
        shifted = np.stack(
            [np.roll(img, tuple(s), axis=(1, 2)) for img, s in zip(big, shifts, strict=True)]
        )
        noisy = shifted + rng.normal(0.0, p.noise, size=shifted.shape)
        return np.clip(noisy, 0.0, 1.0).astype(np.float32)

    def card_params(self) -> dict[str, Any]:
        return self.card(source="sklearn.datasets.load_digits", n_classes=10)
