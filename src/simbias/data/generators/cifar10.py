"""Real CIFAR-10, the in-distribution task of USEFUL's ResNet-18 table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, Split
from simbias.data.real import DownloadedParams, cifar10_uint8_splits, unit_float
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class Cifar10Params(DownloadedParams):
    """The cifar10 kind's parameters."""

    n_train: int | None = param(
        None,
        description="Seeded random subset of the 50 000 training images (default all).",
        minimum=1,
    )


@GENERATORS.register(
    "cifar10",
    provides=("train_split", "labels", "images"),
    params=Cifar10Params,
    caption="Paper scale: real CIFAR-10 from torchvision's files (md5-checked).",
)
class Cifar10(DatasetGenerator):
    """Real CIFAR-10 (10 classes, 3 x 32 x 32 in [0, 1], unnormalised: the models' batch norm
    absorbs the scale). ``n_train`` keeps a seeded random subset (all 50 000 when None); the
    test split is the full 10 000. ``checksums`` overrides
    :data:`simbias.data.real_files.CHECKSUMS`, for tests."""

    params: Cifar10Params
    extra_splits: ClassVar[tuple[str, ...]] = ()
    #: Which torchvision CIFAR (simbias.data.real_files), for the cifar100 kind's subclass.
    cifar: ClassVar[str] = "cifar10"

    def __init__(self, params: Cifar10Params, checksums: dict[str, str] | None = None) -> None:
        super().__init__(params)
        self.checksums = checksums

    def generate(self, seed: int) -> DatasetSplits:
        rng = np.random.default_rng(seed)
        p = self.params
        (x_train, y_train), (x_test, y_test), verified = cifar10_uint8_splits(
            Path(p.root), p.download, self.checksums, p.n_train, rng, self.cifar
        )
        splits = {
            "train": Split(x=unit_float(x_train), y=y_train),
            "test": Split(x=unit_float(x_test), y=y_test),
        }
        params = self.card(md5_verified=verified)
        return DatasetSplits(splits=splits, params=params, input_range=(0.0, 1.0))
