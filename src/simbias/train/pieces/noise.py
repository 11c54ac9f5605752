"""Gaussian-noise training as a regime piece: each batch gets fresh i.i.d. gaussian noise
before the step, the control of adversarial training (a perturbation that ignores the
network). The implementation is :mod:`simbias.train.noise`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simbias.train.noise import NoiseParams, add_noise
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece


@PIECES.register(
    "noise",
    params=NoiseParams,
    caption="Gaussian-noise training; each batch gets fresh N(0, std^2) noise per coordinate.",
    slot="transform",
    seeds_at_once=True,
)
@dataclass(frozen=True, kw_only=True)
class NoiseTransform(Piece, NoiseParams):
    """Add N(0, std^2) noise to every input coordinate, clamped to ``clip``: the dataset's
    (low, high) range of valid inputs (None: unbounded; not a config key)."""

    clip: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.clip is not None:
            clip = tuple(float(v) for v in self.clip)
            if len(clip) != 2 or not clip[0] < clip[1]:
                raise ValueError(f"clip must be None or (low, high) with low < high, got {clip!r}")
            object.__setattr__(self, "clip", clip)

    @classmethod
    def from_params(
        cls, params: NoiseParams, input_range: Sequence[float] | None = None
    ) -> NoiseTransform:
        """The noise of ``params``, its inputs kept in the dataset's ``input_range``."""
        return cls(std=params.std, clip=tuple(input_range) if input_range else None)

    def __call__(self, model, inputs, labels, generator):
        return add_noise(inputs, self.std, self.clip, generator)
