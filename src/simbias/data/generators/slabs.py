"""LMS-k and MS-(5,7) slab datasets: one simple coordinate plus dim-1 complex slab
coordinates (the geometry is in :mod:`simbias.data.slab_layouts`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from simbias.data.base import (
    GENERATORS,
    DatasetGenerator,
    DatasetSplits,
    GeneratorParams,
    Split,
    TrainSimple,
    feature_labels,
    permute_rows,
    train_simple_param,
)
from simbias.data.slab_layouts import (
    SIMPLE_COORDINATE,
    WIDTH,
    layout_for,
    max_margin,
    random_rotation,
    sample_coordinates,
)
from simbias.params import param

#: What the card says about the training split's simple coordinate (nothing by default).
TRAIN_SIMPLE_FACTS = {
    "informative": {},
    "permuted": {
        "train_simple_permutation": "simple coordinate permuted across training examples, "
        "before rotation (drawn after the test splits)"
    },
}


@dataclass(frozen=True, kw_only=True)
class SlabsParams(GeneratorParams):
    """The slabs kind's parameters."""

    n_train: int = param(description="Training examples.", minimum=2)
    n_test: int = param(
        description="Test examples (also the size of the randomised sets).", minimum=2
    )
    dim: int = param(
        50, description="Input dimension (1 simple + dim-1 complex coordinates).", minimum=2
    )
    simple: Literal["linear", 5] = param(
        "linear",
        description='Kind of the simple coordinate, "linear" (LMS) or 5 (a 5-slab, MS-(5,7)).',
    )
    complex_slabs: Literal[5, 7] = param(5, description="Slabs in each complex coordinate.")
    margin: float = param(
        0.1,
        description="Half-gap between slabs; the data range is -1 to 1. Seven slabs need "
        "margin < 1/6 (the generator checks the exact limit per slab count).",
        exclusive_minimum=0,
        maximum=0.16,
    )
    rotate: bool = param(True, description="Apply one random orthonormal rotation to every split.")
    train_simple: TrainSimple = train_simple_param()

    def __post_init__(self) -> None:
        super().__post_init__()
        limit = min(max_margin(self.simple), max_margin(self.complex_slabs))
        if self.margin >= limit:
            raise ValueError(f"margin must be < {limit:.4g} for these slabs, got {self.margin!r}")


@GENERATORS.register(
    "slabs",
    provides=("train_split", "labels", "sb_splits", "groups"),
    params=SlabsParams,
    caption="LMS-k / MS-(5,7) slab data (Shah et al. 2020, sections 3-4).",
)
class SlabDataset(DatasetGenerator):
    """LMS-k (simple="linear") and MS-(5,7) (simple=5, complex_slabs=7) slab data.

    Splits are rotated as ``x @ Q`` by one orthonormal ``Q`` (see :meth:`rotation_matrix`);
    ``s_rand`` permutes the simple coordinate and ``sc_rand`` permutes the complex
    coordinates jointly (whole rows of the complex block), both before the rotation.
    ``train_simple="permuted"`` permutes the training split's simple coordinate as
    ``s_rand`` does the test split's (before the rotation, with a permutation drawn after
    every other split, so those are unchanged).
    """

    params: SlabsParams

    def __init__(self, params: SlabsParams) -> None:
        super().__init__(params)
        self.simple_layout = layout_for(params.simple, params.margin)
        self.complex_layout = layout_for(params.complex_slabs, params.margin)

    @staticmethod
    def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
        """Separate data and rotation streams, so the unrotated data do not depend on
        ``rotate`` and the rotation can be rebuilt from the seed alone."""
        data_seq, rotation_seq = np.random.SeedSequence(seed).spawn(2)
        return np.random.default_rng(data_seq), np.random.default_rng(rotation_seq)

    def rotation_matrix(self, seed: int) -> np.ndarray:
        """The orthonormal Q (float64) that ``generate(seed)`` applies as ``x @ Q``; the
        identity when ``rotate`` is False. Undo it with ``x @ Q.T``."""
        if not self.params.rotate:
            return np.eye(self.params.dim)
        return random_rotation(self.params.dim, self._streams(seed)[1])

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Unrotated float64 inputs and int64 labels for ``n`` examples."""
        y = rng.integers(0, 2, size=n)
        x = np.empty((n, self.params.dim))
        x[:, :1] = sample_coordinates(self.simple_layout, y, 1, rng)
        x[:, 1:] = sample_coordinates(self.complex_layout, y, self.params.dim - 1, rng)
        return x, y.astype(np.int64)

    def generate(self, seed: int) -> DatasetSplits:
        data_rng, _ = self._streams(seed)
        x_train, y_train = self.sample(self.params.n_train, data_rng)
        x_test, y_test = self.sample(self.params.n_test, data_rng)
        x_s_rand = x_test.copy()
        x_s_rand[:, :1], s_perm = permute_rows(x_test[:, :1], data_rng)
        x_sc_rand = x_test.copy()
        x_sc_rand[:, 1:], sc_perm = permute_rows(x_test[:, 1:], data_rng)
        train_simple = y_train
        if self.params.train_simple == "permuted":
            x_train[:, :1], train_perm = permute_rows(x_train[:, :1], data_rng)
            train_simple = y_train[train_perm]

        rotation = self.rotation_matrix(seed)
        unrotated = {"train": x_train, "test": x_test, "s_rand": x_s_rand, "sc_rand": x_sc_rand}
        labels = {"train": y_train, "test": y_test, "s_rand": y_test, "sc_rand": y_test}
        # Every slab belongs to one class, so a coordinate's value says its class exactly.
        attributes = {
            "train": feature_labels(train_simple, y_train),
            "test": feature_labels(y_test, y_test),
            "s_rand": feature_labels(y_test[s_perm], y_test),
            "sc_rand": feature_labels(y_test, y_test[sc_perm]),
        }
        splits = {
            name: Split((x @ rotation).astype(np.float32), labels[name], attributes[name])
            for name, x in unrotated.items()
        }
        return DatasetSplits(splits=splits, params=self.card_params())

    def card_params(self) -> dict[str, Any]:
        """Parameters plus the resolved geometry, for the dataset card."""
        return self.card(
            width=WIDTH,
            simple_coordinate=SIMPLE_COORDINATE,
            simple_layout=self.simple_layout.to_params(),
            complex_layout=self.complex_layout.to_params(),
            s_rand="simple coordinate permuted across examples, before rotation",
            sc_rand="complex coordinates 1..dim-1 permuted jointly (one row permutation) "
            "across examples, before rotation",
            rotation=(
                "x @ Q, Q = QR of a Gaussian matrix from the seed's second spawned stream"
                if self.params.rotate
                else None
            ),
            **TRAIN_SIMPLE_FACTS[self.params.train_simple],
        )
