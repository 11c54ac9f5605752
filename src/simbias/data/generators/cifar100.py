"""Real CIFAR-100, the second of Bachmann et al. 2023's CIFARs (scaling_mlps
data_utils/data_stats.py: cifar100, 50 000 training images, 100 classes, 32 x 32)."""

from __future__ import annotations

from typing import ClassVar

from simbias.data.base import GENERATORS
from simbias.data.generators.cifar10 import Cifar10, Cifar10Params


@GENERATORS.register(
    "cifar100",
    provides=("train_split", "labels", "images"),
    params=Cifar10Params,
    caption="Paper scale: real CIFAR-100 (fine labels) from torchvision's files (md5-checked).",
)
class Cifar100(Cifar10):
    """Real CIFAR-100 as :class:`Cifar10` gives CIFAR-10: the same parameters (``n_train``
    of the 50 000 training images), the full 10 000 test images, the 100 fine labels
    (torchvision's ``CIFAR100`` targets)."""

    cifar: ClassVar[str] = "cifar100"
