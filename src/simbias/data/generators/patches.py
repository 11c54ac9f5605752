"""The "patches" data model of the USEFUL paper (Nguyen et al., NeurIPS 2024).

Each example is ``x = (x_1, ..., x_P)`` with ``P`` patches in ``R^d`` and a label
``s = 2y - 1 in {-1, +1}`` (stored as ``y in {0, 1}``). In the default variant, which is
the paper's, every example has

* one *fast-feature* patch ``s * beta_fast * v_e`` (larger magnitude: learned first),
* one *slow-feature* patch ``s * beta_slow * v_d`` (smaller magnitude: learned later),
* ``P - 2`` noise patches ``xi ~ N(0, noise^2 (I - v_e v_e^T - v_d v_d^T))``, i.e. an
  isotropic gaussian of per-coordinate standard deviation ``noise`` projected onto the
  orthogonal complement of the two features, so noise carries no feature signal.

The two feature patches sit at distinct positions drawn uniformly at random per example.
``v_e`` and ``v_d`` are a random orthonormal pair drawn from the seed (recorded in the
dataset card as ``fast_feature`` and ``slow_feature``).

Optional knobs (both default 0, the paper's setting) give the variant in which some
examples carry only one feature: a ``slow_only_fraction`` of examples have their
fast-feature patch replaced by a noise patch, and a disjoint ``fast_only_fraction`` have
their slow-feature patch replaced by a noise patch. Which examples these are is drawn
independently per example (Bernoulli), so the realised fractions vary around the nominal.

``s_rand`` is the test split with the content of each example's fast-feature slot
permuted across examples (the fast feature is the simple one); ``sc_rand`` permutes the
content of the slow-feature slot. Positions are kept, so only the feature's sign (its
label information) is shuffled. Every split's ``simple_label`` / ``complex_label`` say
which class the fast / slow slot's content indicates: NO_FEATURE (-1) where it is noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simbias.data.base import (
    GENERATORS,
    NO_FEATURE,
    DatasetGenerator,
    DatasetSplits,
    GeneratorParams,
    Split,
    feature_labels,
)
from simbias.params import param


@dataclass
class PatchSample:
    """Unpermuted float64 inputs (N, P, d), int64 labels and where each feature sits."""

    x: np.ndarray
    y: np.ndarray
    #: (N,) index of the patch that holds (or, if absent, would hold) each feature.
    fast_position: np.ndarray
    slow_position: np.ndarray
    #: (N,) whether the feature is present in that patch (False: the patch is noise).
    has_fast: np.ndarray
    has_slow: np.ndarray

    @property
    def simple_label(self) -> np.ndarray:
        """The class each example's fast-feature slot indicates (NO_FEATURE: noise there)."""
        return np.where(self.has_fast, self.y, NO_FEATURE)

    @property
    def complex_label(self) -> np.ndarray:
        """The class each example's slow-feature slot indicates (NO_FEATURE: noise there)."""
        return np.where(self.has_slow, self.y, NO_FEATURE)


def orthonormal_features(dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A Haar-random orthonormal pair (v_e, v_d) in R^dim (float64)."""
    q, r = np.linalg.qr(rng.standard_normal((dim, 2)))
    q = q * np.sign(np.diag(r))
    return q[:, 0].copy(), q[:, 1].copy()


@dataclass(frozen=True, kw_only=True)
class PatchesParams(GeneratorParams):
    """The patches kind's parameters."""

    n_train: int = param(description="Training examples.", minimum=1)
    n_test: int = param(description="Test examples.", minimum=1)
    patches: int = param(4, description="Patches per example.", minimum=2)
    dim: int = param(32, description="Dimension of each patch.", minimum=3)
    beta_fast: float = param(
        1.0, description="Magnitude of the fast-learnable feature.", exclusive_minimum=0
    )
    beta_slow: float = param(
        0.4, description="Magnitude of the slow-learnable feature.", exclusive_minimum=0
    )
    noise: float = param(0.1, description="Std of the noise patches.", minimum=0)
    slow_only_fraction: float = param(
        0.0, description="Examples without the fast feature.", minimum=0, maximum=1
    )
    fast_only_fraction: float = param(
        0.0, description="Examples without the slow feature.", minimum=0, maximum=1
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.beta_slow > self.beta_fast:
            raise ValueError(
                f"beta_slow must be <= beta_fast (the fast feature is the larger one), "
                f"got beta_slow={self.beta_slow!r} > beta_fast={self.beta_fast!r}"
            )
        if self.slow_only_fraction + self.fast_only_fraction > 1:
            raise ValueError(
                "slow_only_fraction + fast_only_fraction must be <= 1, got "
                f"{self.slow_only_fraction!r} + {self.fast_only_fraction!r}"
            )


@GENERATORS.register(
    "patches",
    provides=("train_split", "labels", "sb_splits", "groups"),
    params=PatchesParams,
    caption="USEFUL's two-layer CNN data model (simbias.data.generators.patches).",
)
class PatchesDataset(DatasetGenerator):
    """Two-feature patch data (fast ``v_e`` of magnitude ``beta_fast``, slow ``v_d`` of
    magnitude ``beta_slow``) plus gaussian noise patches; see the module docstring."""

    params: PatchesParams

    @staticmethod
    def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
        """Separate data and feature streams, so the features can be rebuilt from the seed."""
        data_seq, feature_seq = np.random.SeedSequence(seed).spawn(2)
        return np.random.default_rng(data_seq), np.random.default_rng(feature_seq)

    def features(self, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The unit, orthogonal (v_e, v_d) that ``generate(seed)`` uses (float64)."""
        return orthonormal_features(self.params.dim, self._streams(seed)[1])

    def sample(
        self,
        n: int,
        rng: np.random.Generator,
        fast_feature: np.ndarray,
        slow_feature: np.ndarray,
    ) -> PatchSample:
        """``n`` examples with features ``fast_feature`` (v_e) and ``slow_feature`` (v_d)."""
        p = self.params
        y = rng.integers(0, 2, size=n)
        sign = (2 * y - 1).astype(np.float64)
        # Noise everywhere, projected off span(v_e, v_d); feature slots are overwritten.
        basis = np.stack([fast_feature, slow_feature])  # (2, d), orthonormal rows
        x = p.noise * rng.standard_normal((n, p.patches, p.dim))
        x -= (x @ basis.T) @ basis
        # Two distinct positions, uniform over ordered pairs.
        fast_position = rng.integers(0, p.patches, size=n)
        offset = rng.integers(1, p.patches, size=n)
        slow_position = (fast_position + offset) % p.patches
        u = rng.random(n)
        has_fast = u >= p.slow_only_fraction
        has_slow = ~(
            (u >= p.slow_only_fraction) & (u < p.slow_only_fraction + p.fast_only_fraction)
        )
        rows = np.arange(n)
        x[rows[has_fast], fast_position[has_fast]] = (
            sign[has_fast, None] * p.beta_fast * fast_feature
        )
        x[rows[has_slow], slow_position[has_slow]] = (
            sign[has_slow, None] * p.beta_slow * slow_feature
        )
        return PatchSample(x, y.astype(np.int64), fast_position, slow_position, has_fast, has_slow)

    @staticmethod
    def permute_slot(
        x: np.ndarray, position: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """A copy of ``x`` whose patch at ``position[i]`` in row i is replaced by the patch
        at ``position[j]`` of row ``j = perm[i]``, for one random permutation; and ``perm``."""
        rows = np.arange(len(x))
        content = x[rows, position]
        out = x.copy()
        perm = rng.permutation(len(x))
        out[rows, position] = content[perm]
        return out, perm

    def generate(self, seed: int) -> DatasetSplits:
        data_rng, _ = self._streams(seed)
        fast_feature, slow_feature = self.features(seed)
        train = self.sample(self.params.n_train, data_rng, fast_feature, slow_feature)
        test = self.sample(self.params.n_test, data_rng, fast_feature, slow_feature)
        x_s_rand, s_perm = self.permute_slot(test.x, test.fast_position, data_rng)
        x_sc_rand, sc_perm = self.permute_slot(test.x, test.slow_position, data_rng)
        inputs = {"train": train.x, "test": test.x, "s_rand": x_s_rand, "sc_rand": x_sc_rand}
        labels = {"train": train.y, "test": test.y, "s_rand": test.y, "sc_rand": test.y}
        # The fast feature is the simple one; a permuted slot says what its source row's did.
        simple, complex_ = test.simple_label, test.complex_label
        attributes = {
            "train": feature_labels(train.simple_label, train.complex_label),
            "test": feature_labels(simple, complex_),
            "s_rand": feature_labels(simple[s_perm], complex_),
            "sc_rand": feature_labels(simple, complex_[sc_perm]),
        }
        splits = {
            name: Split(x.astype(np.float32), labels[name], attributes[name])
            for name, x in inputs.items()
        }
        return DatasetSplits(splits=splits, params=self.card_params(fast_feature, slow_feature))

    def card_params(self, fast_feature: np.ndarray, slow_feature: np.ndarray) -> dict[str, Any]:
        """Parameters plus the two feature vectors, for the dataset card."""
        return self.card(
            fast_feature=[float(v) for v in fast_feature],
            slow_feature=[float(v) for v in slow_feature],
            layout="x[i] has shape (patches, dim); the fast- and slow-feature patches "
            "(s * beta * v, s = 2y - 1) sit at two distinct positions drawn uniformly per "
            "example; the other patches are N(0, noise^2) noise projected off span(v_e, v_d)",
            s_rand="test with each example's fast-feature patch replaced by that of a "
            "randomly permuted example (position kept)",
            sc_rand="test with each example's slow-feature patch replaced by that of a "
            "randomly permuted example (position kept)",
        )
