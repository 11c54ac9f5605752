"""Dominoes: a digit (simple) stacked above an oriented grating (complex), offline.

A stand-in for the paper's MNIST-CIFAR dominoes built only from scikit-learn's bundled
8x8 digits and procedurally generated textures. Images are (3, 2 * block, block):
the top block is a 0-vs-1 digit, which a linear classifier on pixels separates; the
bottom block is a faint sinusoidal grating whose label is its orientation. Random phase makes
both classes' mean bottom image the same flat grey, so a linear classifier on raw pixels
is near chance there, while orientation-selective (quadratic) features such as a
small CNN's recover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import load_digits

from simbias.data.base import (
    GENERATORS,
    DatasetGenerator,
    DatasetSplits,
    GeneratorParams,
    TrainSimple,
    stacked_block_splits,
    train_simple_param,
)
from simbias.params import param

CHANNELS = 3
DIGIT_SIZE = 8
#: sklearn digit -> label.
DIGIT_LABELS = {0: 0, 1: 1}
TRAIN_POOL_FRACTION = 0.7
MAX_SHIFT = 1
#: Grating spatial frequency range, in cycles per block (so it scales with ``block``).
CYCLES_PER_BLOCK = (2.0, 4.0)
#: Per-channel amplitude range of the grating: a random colour tint.
TINT_RANGE = (0.4, 1.0)
#: What the card says about the training split's digit blocks (nothing by default).
TRAIN_SIMPLE_FACTS = {
    "informative": {},
    "permuted": {
        "train_simple_permutation": "top (digit) blocks permuted across training examples "
        "(drawn after the test splits)"
    },
}


def load_digit_templates() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 0 and 1 digits as (n, 8, 8) images in [0, 1], their labels, and their indices
    in ``load_digits()``."""
    digits = load_digits()
    indices = np.flatnonzero(np.isin(digits.target, list(DIGIT_LABELS)))
    images = digits.images[indices] / digits.images.max()
    labels = np.array([DIGIT_LABELS[int(t)] for t in digits.target[indices]], dtype=np.int64)
    return images, labels, indices


def split_pool(labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratified disjoint train/test positions into ``labels`` (TRAIN_POOL_FRACTION train)."""
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        cut = int(round(TRAIN_POOL_FRACTION * len(members)))
        train.append(members[:cut])
        test.append(members[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def bilinear_matrix(size_in: int, size_out: int) -> np.ndarray:
    """(size_out, size_in) matrix M with M @ column = the column resampled bilinearly
    (pixel-centre aligned, edges clamped)."""
    position = np.clip((np.arange(size_out) + 0.5) * size_in / size_out - 0.5, 0, size_in - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    frac = position - low
    matrix = np.zeros((size_out, size_in))
    np.add.at(matrix, (np.arange(size_out), low), 1 - frac)
    np.add.at(matrix, (np.arange(size_out), high), frac)
    return matrix


def upscale(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinearly resize (n, h, h) images to (n, size, size)."""
    matrix = bilinear_matrix(images.shape[-1], size)
    return np.einsum("ij,njk,lk->nil", matrix, images, matrix)


def shifted(images: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Translate each (h, w) image by its (dy, dx) in ``shifts``, filling with zeros."""
    n, height, width = images.shape
    padded = np.pad(images, ((0, 0), (MAX_SHIFT, MAX_SHIFT), (MAX_SHIFT, MAX_SHIFT)))
    rows = MAX_SHIFT - shifts[:, 0, None] + np.arange(height)
    cols = MAX_SHIFT - shifts[:, 1, None] + np.arange(width)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def digit_blocks(
    templates: np.ndarray,
    y: np.ndarray,
    pool: np.ndarray,
    pool_labels: np.ndarray,
    noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n, 3, b, b) digit blocks: for each label a random template of that class from
    ``pool``, shifted by up to MAX_SHIFT px, with gaussian pixel noise, grey over RGB."""
    choice = np.empty(len(y), dtype=int)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        choice[rows] = rng.choice(pool[pool_labels[pool] == label], size=len(rows))
    shifts = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, size=(len(y), 2))
    grey = shifted(templates[choice], shifts)
    grey = np.clip(grey + noise * rng.standard_normal(grey.shape), 0, 1)
    return np.repeat(grey[:, None], CHANNELS, axis=1)


def grating_angles(y: np.ndarray, angle_margin: float, rng: np.random.Generator) -> np.ndarray:
    """Wave-vector angles in degrees: label 1 within 45 - margin of 90 (vertical wave
    vector, horizontal stripes), label 0 within 45 - margin of 0 (mod 180)."""
    half_range = 45.0 - angle_margin
    offset = rng.uniform(-half_range, half_range, size=len(y))
    return np.where(y == 1, 90.0, 0.0) + offset


def grating_blocks(
    y: np.ndarray,
    block: int,
    contrast: float,
    noise: float,
    angle_margin: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n, 3, b, b) tinted sinusoidal gratings around grey 0.5 (amplitude ``contrast``
    times the tint) whose orientation encodes the label."""
    n = len(y)
    theta = np.deg2rad(grating_angles(y, angle_margin, rng))
    cycles = rng.uniform(*CYCLES_PER_BLOCK, size=n)
    phase = rng.uniform(0, 2 * np.pi, size=n)
    tint = rng.uniform(*TINT_RANGE, size=(n, CHANNELS))
    coords = np.arange(block) - (block - 1) / 2
    along = (
        np.cos(theta)[:, None, None] * coords[None, None, :]  # x varies along columns
        + np.sin(theta)[:, None, None] * coords[None, :, None]  # y varies along rows
    )
    wave = np.sin(2 * np.pi * cycles[:, None, None] * along / block + phase[:, None, None])
    image = 0.5 + contrast * tint[:, :, None, None] * wave[:, None]
    return np.clip(image + noise * rng.standard_normal(image.shape), 0, 1)


@dataclass(frozen=True, kw_only=True)
class DominoesParams(GeneratorParams):
    """The dominoes kind's parameters."""

    n_train: int = param(description="Training examples.", minimum=2)
    n_test: int = param(description="Test examples.", minimum=2)
    block: int = param(16, description="Side of each square block in pixels.", minimum=DIGIT_SIZE)
    noise: float = param(
        0.25, description="Std of the gaussian noise on the bottom block.", minimum=0
    )
    contrast: float = param(
        0.2,
        description="Amplitude of the grating around grey 0.5. It sets how hard the complex "
        "block is: at 0.45 the CNN also learns the grating (README, findings).",
        exclusive_minimum=0,
        maximum=0.5,
    )
    digit_noise: float = param(
        0.05, description="Std of the gaussian noise on the digit block.", minimum=0
    )
    angle_margin: float = param(
        10.0,
        description="Degrees left empty around the diagonals, so the grating fully predicts "
        "the label.",
        minimum=0,
        exclusive_maximum=45,
    )
    train_simple: TrainSimple = train_simple_param()


@GENERATORS.register(
    "dominoes",
    provides=("train_split", "labels", "images", "sb_splits", "groups"),
    params=DominoesParams,
    caption="""Default-scale dominoes: 8x8 digits 0/1 (simple, top block) over generated
    oriented gratings (complex, bottom block).""",
)
class DominoesDataset(DatasetGenerator):
    """Digit-over-grating dominoes; ``s_rand`` permutes top blocks, ``sc_rand`` bottom ones;
    ``train_simple="permuted"`` permutes the training split's top blocks too (drawn after
    the test splits, which are unchanged).

    ``contrast`` sets how salient the grating is. At the default 0.2 the project's small
    CNN learns the grating alone almost perfectly, yet trained on whole dominoes it uses
    only the digit (as the paper's MNIST-CIFAR networks do); around 0.45 it prefers the
    grating instead, so raise it only to study that regime.
    """

    params: DominoesParams

    def sample(
        self,
        n: int,
        templates: np.ndarray,
        labels: np.ndarray,
        pool: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """n float32 dominoes (n, 3, 2b, b) with digits from ``pool``, and int64 labels."""
        p = self.params
        y = rng.integers(0, 2, size=n).astype(np.int64)
        top = digit_blocks(templates, y, pool, labels, p.digit_noise, rng)
        bottom = grating_blocks(y, p.block, p.contrast, p.noise, p.angle_margin, rng)
        return np.concatenate([top, bottom], axis=2).astype(np.float32), y

    def generate(self, seed: int) -> DatasetSplits:
        block = self.params.block
        rng = np.random.default_rng(seed)
        images, labels, digit_indices = load_digit_templates()
        templates = upscale(images, block)
        train_pool, test_pool = split_pool(labels, rng)
        x_train, y_train = self.sample(self.params.n_train, templates, labels, train_pool, rng)
        x_test, y_test = self.sample(self.params.n_test, templates, labels, test_pool, rng)

        splits = stacked_block_splits(
            (x_train, y_train), (x_test, y_test), block, self.params.train_simple, rng
        )
        pools = {"train": digit_indices[train_pool], "test": digit_indices[test_pool]}
        return DatasetSplits(splits=splits, params=self.card_params(pools), input_range=(0.0, 1.0))

    def card_params(self, pools: dict[str, np.ndarray]) -> dict[str, Any]:
        """Parameters plus the fixed generation constants and digit pools."""
        return self.card(
            image_shape=[CHANNELS, 2 * self.params.block, self.params.block],
            simple_block="top: sklearn load_digits 0 (label 0) vs 1 (label 1), bilinear "
            f"upscale to block, shift up to {MAX_SHIFT} px, gaussian noise digit_noise",
            complex_block="bottom: 0.5 + contrast * tint * sin(grating), wave-vector "
            "angle within 45 - angle_margin degrees of 0 (label 0, vertical stripes) or of "
            "90 (label 1, horizontal stripes), random phase and frequency, gaussian noise",
            cycles_per_block=list(CYCLES_PER_BLOCK),
            tint_range=list(TINT_RANGE),
            max_shift=MAX_SHIFT,
            train_pool_fraction=TRAIN_POOL_FRACTION,
            digit_pool={name: idx.tolist() for name, idx in pools.items()},
            s_rand="top (digit) blocks permuted across test examples",
            sc_rand="bottom (grating) blocks permuted across test examples",
            **TRAIN_SIMPLE_FACTS[self.params.train_simple],
        )
