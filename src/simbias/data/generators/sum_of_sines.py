"""A sum of sines on a grid of [0, 1): the target of Rahaman et al. 2019's spectral-bias
experiment (nasimrahaman/SpectralBias, ICML_SpectralBias.ipynb ``make_phased_waves``).

    y(t) = sum_i A_i sin(2 pi k_i t + 2 pi phi_i),    t = 0, 1/N, ..., (N - 1)/N,

with phases phi_i ~ U[0, 1) drawn from the dataset's seed. The training split is that grid
(Rahaman et al. fit and take the DFT of the fit on it); the test split is the grid's
midpoints, (j + 1/2)/N, which the network never sees. Targets are real-valued (N, 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.params import param

#: Rahaman et al.'s second setting (``opt.A = [0.1 * (a + 1) ...]``): amplitudes 0.1, 0.2,
#: ..., rising with frequency, so that the high frequencies dominate the target.
RISING_STEP = 0.1


@dataclass(frozen=True, kw_only=True)
class SumOfSinesParams(GeneratorParams):
    """The sum_of_sines kind's parameters."""

    points: int = param(
        200, description="Grid points N on [0, 1) (Rahaman et al.: opt.N = 200).", minimum=4
    )
    frequencies: list[int] = param(
        [5, 10, 15, 20, 25, 30, 35, 40, 45, 50],
        description="Frequencies k_i, cycles on [0, 1) (Rahaman et al.: 5 to 50 in steps of 5).",
        min_items=1,
        items={"minimum": 1},
    )
    amplitudes: Literal["equal", "rising"] = param(
        "equal",
        description="equal: every A_i = 1 (Rahaman et al.'s first setting); rising: A_i ="
        " 0.1 (i + 1), larger for higher frequencies (their second setting).",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if 2 * max(self.frequencies) >= self.points:
            raise ValueError(
                f"frequencies must stay below the grid's Nyquist frequency {self.points // 2}"
                f" (points / 2), got {max(self.frequencies)}"
            )
        if len(set(self.frequencies)) != len(self.frequencies):
            raise ValueError(f"frequencies must be distinct, got {self.frequencies}")


def amplitude_profile(kind: str, count: int) -> np.ndarray:
    """The amplitudes A_i of ``count`` sines: all 1 (``equal``) or 0.1 (i + 1) (``rising``)."""
    if kind == "equal":
        return np.ones(count)
    if kind == "rising":
        return RISING_STEP * np.arange(1, count + 1)
    raise ValueError(f"unknown amplitudes {kind!r}; known: equal, rising")


def sum_of_sines(
    t: np.ndarray, frequencies: np.ndarray, amplitudes: np.ndarray, phases: np.ndarray
) -> np.ndarray:
    """sum_i A_i sin(2 pi k_i t + 2 pi phi_i) at the points ``t``."""
    angles = 2 * np.pi * (np.outer(t, frequencies) + phases)
    return (np.sin(angles) * amplitudes).sum(axis=1)


@GENERATORS.register(
    "sum_of_sines",
    provides=("train_split",),
    params=SumOfSinesParams,
    caption="A sum of sines of given frequencies and random phases on a grid of [0, 1)"
    " (Rahaman et al. 2019's spectral-bias target; simbias.data.generators.sum_of_sines).",
)
class SumOfSinesDataset(DatasetGenerator):
    params: SumOfSinesParams
    extra_splits: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        frequencies = np.asarray(p.frequencies, dtype=np.float64)
        amplitudes = amplitude_profile(p.amplitudes, len(frequencies))
        phases = rng.random(len(frequencies))  # Rahaman et al.: np.random.rand() per sine
        splits = {}
        for name, offset in (("train", 0.0), ("test", 0.5)):
            t = (np.arange(p.points) + offset) / p.points
            y = sum_of_sines(t, frequencies, amplitudes, phases)
            splits[name] = Split(x=t[:, None].astype(np.float32), y=y[:, None].astype(np.float32))
        return DatasetSplits(
            splits, params=self.card_params(amplitudes, phases), regression_outputs=1
        )

    def card_params(self, amplitudes: np.ndarray, phases: np.ndarray) -> dict[str, Any]:
        # The analysis reads the amplitudes it normalises by from here.
        return self.card(
            amplitude_values=[float(a) for a in amplitudes],
            phases=[float(phi) for phi in phases],
        )
