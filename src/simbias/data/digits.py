"""scikit-learn's bundled 8x8 digits as a small 10-class image task (no download).

A plain classification task with no designed simple/complex split, used where a regime
should improve in-distribution accuracy (USEFUL). Images are upscaled, shifted by up to
one pixel and given pixel noise, so the task is not trivially memorised.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.nn import functional as F

from simbias.data.base import DatasetGenerator, DatasetSplits, Split


class DigitsDataset(DatasetGenerator):
    kind = "digits"
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        size: int = 16,
        test_fraction: float = 0.3,
        noise: float = 0.1,
        max_shift: int = 1,
        copies: int = 1,
    ) -> None:
        problems = []
        if not (isinstance(size, int) and size >= 8):
            problems.append(f"size must be an integer >= 8, got {size!r}")
        if not 0 < test_fraction < 1:
            problems.append(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        if noise < 0:
            problems.append(f"noise must be >= 0, got {noise!r}")
        if not (isinstance(max_shift, int) and 0 <= max_shift < size // 2):
            problems.append(f"max_shift must be an integer in [0, size/2), got {max_shift!r}")
        if not (isinstance(copies, int) and copies >= 1):
            problems.append(f"copies must be an integer >= 1, got {copies!r}")
        if problems:
            raise ValueError("digits: " + "; ".join(problems))
        super().__init__(
            size=size, test_fraction=test_fraction, noise=noise, max_shift=max_shift, copies=copies
        )

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        digits = load_digits()
        images = digits.images.astype(np.float32) / 16.0
        train_idx, test_idx = train_test_split(
            np.arange(len(images)),
            test_size=p["test_fraction"],
            stratify=digits.target,
            random_state=seed,
        )
        splits = {}
        for name, index, copies in (("train", train_idx, p["copies"]), ("test", test_idx, 1)):
            index = np.tile(index, copies)
            x = self._render(images[index], rng)
            splits[name] = Split(x=x, y=digits.target[index].astype(np.int64))
        return DatasetSplits(splits, params=self.card_params(), input_range=(0.0, 1.0))

    def _render(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        p = self.params
        big = F.interpolate(
            torch.from_numpy(images)[:, None],
            size=(p["size"], p["size"]),
            mode="bilinear",
            align_corners=False,
        ).numpy()
        shifts = rng.integers(-p["max_shift"], p["max_shift"] + 1, size=(len(big), 2))
        shifted = np.stack(
            [np.roll(img, tuple(s), axis=(1, 2)) for img, s in zip(big, shifts, strict=True)]
        )
        noisy = shifted + rng.normal(0.0, p["noise"], size=shifted.shape)
        return np.clip(noisy, 0.0, 1.0).astype(np.float32)

    def card_params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            **self.params,
            "source": "sklearn.datasets.load_digits",
            "n_classes": 10,
        }
