"""The paper's MNIST-CIFAR dominoes (Shah et al. 2020), built from torchvision's files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbias.data.base import (
    GENERATORS,
    DatasetGenerator,
    DatasetSplits,
    TrainSimple,
    stacked_block_splits,
    train_simple_param,
)
from simbias.data.real import DownloadedParams, cifar_uint8, mnist_uint8, unit_float
from simbias.params import param

#: label -> (MNIST digit on top, CIFAR-10 class on the bottom), as in Shah et al. (2020).
PAIRS = {0: (0, 1), 1: (1, 9)}  # (0, automobile) -> 0; (1, truck) -> 1
MNIST_PAD = 2  # 28 + 2 * 2 = 32
#: What the card says about the training split's MNIST blocks (nothing by default).
TRAIN_SIMPLE_FACTS = {
    "informative": {},
    "permuted": {
        "train_simple_permutation": "top (MNIST) blocks permuted across training examples "
        "(drawn after the test splits)"
    },
}


@dataclass(frozen=True, kw_only=True)
class MnistCifarParams(DownloadedParams):
    """The mnist_cifar kind's parameters."""

    n_train: int | None = param(None, description="Training pairs kept (default all).", minimum=1)
    n_test: int | None = param(None, description="Test pairs kept (default all).", minimum=1)
    train_simple: TrainSimple = train_simple_param()


@GENERATORS.register(
    "mnist_cifar",
    provides=("train_split", "labels", "images", "sb_splits", "groups"),
    params=MnistCifarParams,
    caption="""Paper scale: the real MNIST-CIFAR dominoes (MNIST 0/1 over CIFAR-10
    automobile/truck, Shah et al. 2020), built from torchvision's files.""",
)
class MnistCifarDominoes(DatasetGenerator):
    """The paper's MNIST-CIFAR dominoes: an MNIST 0/1 (zero-padded to 32 x 32, grey over
    RGB) above a CIFAR-10 automobile/truck, images (3, 64, 32) in [0, 1].

    Per split and label, a random subset of MNIST digits and of CIFAR images of the paired
    class, of the smaller pool's size, is paired at random; the pairs are shuffled and the
    first ``n_train`` / ``n_test`` kept (all when None). ``s_rand`` permutes the MNIST blocks
    across test examples, ``sc_rand`` the CIFAR blocks; ``train_simple="permuted"`` permutes
    the training split's MNIST blocks too (drawn after the test splits). ``checksums``
    ({"mnist": table, "cifar10": table}) overrides
    :data:`simbias.data.real_files.CHECKSUMS`, for tests.
    """

    params: MnistCifarParams

    def __init__(
        self, params: MnistCifarParams, checksums: dict[str, dict[str, str]] | None = None
    ) -> None:
        super().__init__(params)
        self.checksums = checksums or {}

    def _split(
        self, train: bool, n: int | None, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, dict[str, dict[str, str | None]]]:
        root, download = Path(self.params.root), self.params.download
        digits, digit_y, mnist_md5 = mnist_uint8(root, train, download, self.checksums.get("mnist"))
        photos, photo_y, cifar_md5 = cifar_uint8(
            root, train, download, self.checksums.get("cifar10")
        )
        tops, bottoms, ys = [], [], []
        for label, (digit, cls) in PAIRS.items():
            mnist_idx = rng.permutation(np.flatnonzero(digit_y == digit))
            cifar_idx = rng.permutation(np.flatnonzero(photo_y == cls))
            count = min(len(mnist_idx), len(cifar_idx))
            tops.append(mnist_idx[:count])
            bottoms.append(cifar_idx[:count])
            ys.append(np.full(count, label, dtype=np.int64))
        order = rng.permutation(sum(len(y) for y in ys))
        top_idx, bottom_idx = np.concatenate(tops)[order], np.concatenate(bottoms)[order]
        y = np.concatenate(ys)[order]
        if n is not None:
            if n > len(y):
                split = "train" if train else "test"
                raise ValueError(f"n_{split}={n} but only {len(y)} MNIST-CIFAR pairs exist")
            top_idx, bottom_idx, y = top_idx[:n], bottom_idx[:n], y[:n]
        pad = ((0, 0), (MNIST_PAD, MNIST_PAD), (MNIST_PAD, MNIST_PAD))
        top = np.repeat(np.pad(digits[top_idx], pad)[:, None], 3, axis=1)
        x = np.concatenate([top, photos[bottom_idx]], axis=2)
        x = unit_float(x)
        return x, y, {"mnist": mnist_md5, "cifar10": cifar_md5}

    def generate(self, seed: int) -> DatasetSplits:
        rng = np.random.default_rng(seed)
        x_train, y_train, verified = self._split(True, self.params.n_train, rng)
        x_test, y_test, _ = self._split(False, self.params.n_test, rng)
        b = x_test.shape[-1]  # square blocks: the MNIST block is as tall as the image is wide
        # Each pair's digit and photo are of the same label (PAIRS): both features say y.
        splits = stacked_block_splits(
            (x_train, y_train), (x_test, y_test), b, self.params.train_simple, rng
        )
        params = self.card(
            image_shape=[3, 2 * b, b],
            simple_block="top: MNIST digit 0 (label 0) / 1 (label 1), zero-padded 28->32, "
            "grey replicated over RGB",
            complex_block="bottom: CIFAR-10 automobile (class 1, label 0) / truck "
            "(class 9, label 1)",
            pairing="per split and label, random MNIST and CIFAR subsets of the smaller "
            "pool's size paired at random, shuffled, first n kept",
            n_pairs={"train": len(y_train), "test": len(y_test)},
            md5_verified=verified,
            s_rand="top (MNIST) blocks permuted across test examples",
            sc_rand="bottom (CIFAR) blocks permuted across test examples",
            **TRAIN_SIMPLE_FACTS[self.params.train_simple],
        )
        return DatasetSplits(splits=splits, params=params, input_range=(0.0, 1.0))
