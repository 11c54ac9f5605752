"""A Gaussian-mixture task with planted opposing-signal outliers.

Rosenfeld & Risteski (2023), "Outliers with Opposing Signals Have an Outsized Effect on
Neural Network Optimization", find small groups of training examples that share one
large-magnitude feature (e.g. a sky background) but belong to different classes, so the
feature pulls the output in opposite directions for the two groups and their losses
oscillate in opposition during training. This generator plants such groups:

* Ordinary features: ``dim`` coordinates, class ``c`` centred at ``mu_c`` (random
  directions of norm ``separation``) plus unit-variance Gaussian noise; labels balanced.
* Outlier coordinates: ``outlier_dims`` further coordinates, unit-variance noise for every
  example. An ``outlier_fraction`` of examples (in train and test) also get the shared
  vector ``outlier_scale * s`` added there, ``s`` a fixed random +-1 vector, so its
  per-coordinate size is ``outlier_scale`` times the ordinary features' noise scale.
  Half the outliers are drawn from class ``opposing_classes[0]``, half from
  ``opposing_classes[1]``: the shared feature carries no label information on its own.

Inputs have ``dim + outlier_dims`` columns, unbounded. Each split has the per-example
attribute ``outlier`` (int8, 1 for a planted outlier).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class OpposingSignalsParams(GeneratorParams):
    """The opposing_signals kind's parameters."""

    n_train: int = param(1500, description="Training examples.", minimum=2)
    n_test: int = param(500, description="Test examples.", minimum=1)
    dim: int = param(30, description="Ordinary feature dimensions.", minimum=1)
    n_classes: int = param(2, description="Classes.", minimum=2, maximum=4)
    separation: float = param(
        3.0,
        description="Norm of each class mean (random directions: two means lie about "
        "sqrt(2) times this apart).",
        exclusive_minimum=0,
    )
    outlier_fraction: float = param(
        0.05,
        description="Share of examples with the shared feature (0: none, the control).",
        minimum=0,
        maximum=0.5,
    )
    outlier_scale: float = param(
        10.0, description="Magnitude of the shared feature.", exclusive_minimum=0
    )
    outlier_dims: int = param(5, description="Dimensions the shared feature lives in.", minimum=1)
    opposing_classes: list[int] = param(
        [0, 1],
        description="The two classes whose outliers share the feature.",
        min_items=2,
        max_items=2,
        items={"minimum": 0},
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        a, b = self.opposing_classes
        if a == b or max(a, b) >= self.n_classes:
            raise ValueError(
                f"opposing_classes must be two different labels in [0, n_classes), "
                f"got {list(self.opposing_classes)!r}"
            )


@GENERATORS.register(
    "opposing_signals",
    provides=("train_split", "labels"),
    params=OpposingSignalsParams,
    caption="""Gaussian classes plus a few outliers carrying one large shared feature, half
    in each of two classes (simbias.data.generators.opposing_signals; Rosenfeld & Risteski
    2023).""",
)
class OpposingSignalsDataset(DatasetGenerator):
    params: OpposingSignalsParams
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        # Geometry first, so it depends on the seed only, not on the split sizes.
        means = rng.standard_normal((p.n_classes, p.dim))
        means *= p.separation / np.linalg.norm(means, axis=1, keepdims=True)
        shared = rng.choice([-1.0, 1.0], size=p.outlier_dims)
        splits = {
            name: self._sample(n, means, shared, rng)
            for name, n in (("train", p.n_train), ("test", p.n_test))
        }
        return DatasetSplits(splits, params=self.card_params(), input_range=None)

    def outlier_counts(self, n: int) -> tuple[int, int]:
        """Outliers in class a and in class b for a split of ``n`` examples."""
        total = round(self.params.outlier_fraction * n)
        return total // 2, total - total // 2

    def _sample(
        self, n: int, means: np.ndarray, shared: np.ndarray, rng: np.random.Generator
    ) -> Split:
        p = self.params
        y = rng.permutation(np.arange(n) % p.n_classes).astype(np.int64)
        ordinary = means[y] + rng.standard_normal((n, p.dim))
        extra = rng.standard_normal((n, p.outlier_dims))
        outlier = np.zeros(n, dtype=np.int8)
        for label, count in zip(p.opposing_classes, self.outlier_counts(n), strict=True):
            members = np.flatnonzero(y == label)
            if count > len(members):
                raise ValueError(
                    f"opposing_signals: {count} outliers wanted in class {label}, "
                    f"which has {len(members)} examples; lower outlier_fraction"
                )
            outlier[rng.choice(members, size=count, replace=False)] = 1
        extra[outlier == 1] += p.outlier_scale * shared
        x = np.concatenate([ordinary, extra], axis=1).astype(np.float32)
        return Split(x=x, y=y, attributes={"outlier": outlier})

    def card_params(self) -> dict[str, Any]:
        p = self.params
        return self.card(
            input_dim=p.dim + p.outlier_dims,
            outlier_columns=[p.dim, p.dim + p.outlier_dims],
            construction="class means of norm separation + N(0, I) noise; outliers add "
            "outlier_scale * (fixed +-1 vector) to the last outlier_dims columns, half in "
            "each of opposing_classes",
        )
