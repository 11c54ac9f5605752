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

from typing import Any, ClassVar

import numpy as np

from simbias.data.base import DatasetGenerator, DatasetSplits, Split


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


class OpposingSignalsDataset(DatasetGenerator):
    kind = "opposing_signals"
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        n_train: int = 1500,
        n_test: int = 500,
        dim: int = 30,
        n_classes: int = 2,
        separation: float = 3.0,
        outlier_fraction: float = 0.05,
        outlier_scale: float = 10.0,
        outlier_dims: int = 5,
        opposing_classes: tuple[int, int] | list[int] = (0, 1),
    ) -> None:
        problems = []
        for name, value, low in (("n_train", n_train, 2), ("n_test", n_test, 1)):
            if not (_is_int(value) and value >= low):
                problems.append(f"{name} must be an integer >= {low}, got {value!r}")
        if not (_is_int(dim) and dim >= 1):
            problems.append(f"dim must be an integer >= 1, got {dim!r}")
        if not (_is_int(n_classes) and 2 <= n_classes <= 4):
            problems.append(f"n_classes must be an integer in [2, 4], got {n_classes!r}")
        if not (_is_number(separation) and separation >= 0):
            problems.append(f"separation must be a number >= 0, got {separation!r}")
        if not (_is_number(outlier_fraction) and 0 <= outlier_fraction <= 0.5):
            problems.append(f"outlier_fraction must be in [0, 0.5], got {outlier_fraction!r}")
        if not (_is_number(outlier_scale) and outlier_scale > 0):
            problems.append(f"outlier_scale must be a number > 0, got {outlier_scale!r}")
        if not (_is_int(outlier_dims) and outlier_dims >= 1):
            problems.append(f"outlier_dims must be an integer >= 1, got {outlier_dims!r}")
        pair = list(opposing_classes) if isinstance(opposing_classes, list | tuple) else None
        classes = n_classes if _is_int(n_classes) else 2
        if not (
            pair is not None
            and len(pair) == 2
            and all(_is_int(c) and 0 <= c < classes for c in pair)
            and pair[0] != pair[1]
        ):
            problems.append(
                f"opposing_classes must be two different labels in [0, n_classes), "
                f"got {opposing_classes!r}"
            )
        if problems:
            raise ValueError("opposing_signals: " + "; ".join(problems))
        super().__init__(
            n_train=int(n_train),
            n_test=int(n_test),
            dim=int(dim),
            n_classes=int(n_classes),
            separation=float(separation),
            outlier_fraction=float(outlier_fraction),
            outlier_scale=float(outlier_scale),
            outlier_dims=int(outlier_dims),
            opposing_classes=[int(c) for c in pair],  # type: ignore[union-attr]
        )

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        # Geometry first, so it depends on the seed only, not on the split sizes.
        means = rng.standard_normal((p["n_classes"], p["dim"]))
        means *= p["separation"] / np.linalg.norm(means, axis=1, keepdims=True)
        shared = rng.choice([-1.0, 1.0], size=p["outlier_dims"])
        splits = {
            name: self._sample(n, means, shared, rng)
            for name, n in (("train", p["n_train"]), ("test", p["n_test"]))
        }
        return DatasetSplits(splits, params=self.card_params(), input_range=None)

    def outlier_counts(self, n: int) -> tuple[int, int]:
        """Outliers in class a and in class b for a split of ``n`` examples."""
        total = round(self.params["outlier_fraction"] * n)
        return total // 2, total - total // 2

    def _sample(
        self, n: int, means: np.ndarray, shared: np.ndarray, rng: np.random.Generator
    ) -> Split:
        p = self.params
        y = rng.permutation(np.arange(n) % p["n_classes"]).astype(np.int64)
        ordinary = means[y] + rng.standard_normal((n, p["dim"]))
        extra = rng.standard_normal((n, p["outlier_dims"]))
        outlier = np.zeros(n, dtype=np.int8)
        for label, count in zip(p["opposing_classes"], self.outlier_counts(n), strict=True):
            members = np.flatnonzero(y == label)
            if count > len(members):
                raise ValueError(
                    f"opposing_signals: {count} outliers wanted in class {label}, "
                    f"which has {len(members)} examples; lower outlier_fraction"
                )
            outlier[rng.choice(members, size=count, replace=False)] = 1
        extra[outlier == 1] += p["outlier_scale"] * shared
        x = np.concatenate([ordinary, extra], axis=1).astype(np.float32)
        return Split(x=x, y=y, attributes={"outlier": outlier})

    def card_params(self) -> dict[str, Any]:
        p = self.params
        return {
            "kind": self.kind,
            **p,
            "input_dim": p["dim"] + p["outlier_dims"],
            "outlier_columns": [p["dim"], p["dim"] + p["outlier_dims"]],
            "construction": "class means of norm separation + N(0, I) noise; outliers add "
            "outlier_scale * (fixed +-1 vector) to the last outlier_dims columns, half in "
            "each of opposing_classes",
        }
