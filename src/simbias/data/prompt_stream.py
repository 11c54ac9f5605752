"""The training data of an in-context-learning run: an endless stream of fresh prompts.

Panwar et al. (mdrpanwar/icl-bayesian-prism src/train.py) draw every training batch anew:
new functions, new inputs, every step. Here step ``t`` of a run with seed ``s`` draws its
batch from a generator seeded by ``(s, t)`` alone, so a batch is a pure function of where
the run is: a resumed run draws exactly the batches the uninterrupted one drew, with no
random state to checkpoint, and two seeds never share a prompt stream.

Their curriculum (src/curriculum.py) grows the prompt length and the maximum frequency
during training; :class:`Schedule` is the same rule as a function of the step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from simbias.data.base import Split
from simbias.data.icl_tasks import IclPrompts, pack_prompts, sample_prompts

#: Keys the stream's card entry carries (the generator's parameters that define it).
STREAM_KEYS = ("task", "points", "dim", "max_frequency", "half_period", "standardize")


@dataclass(frozen=True)
class Schedule:
    """A curriculum variable (src/curriculum.py Curriculum.update_var): ``start``, raised by
    ``inc`` every ``interval`` steps up to ``end``. After ``step`` updates it is
    ``min(start + (step // interval) * inc, end)``."""

    start: int
    inc: int
    interval: int
    end: int

    def at(self, step: int) -> int:
        return min(self.start + (step // self.interval) * self.inc, self.end)


def step_seed(seed: int, step: int) -> int:
    """The seed of step ``step``'s batch in the stream of run seed ``seed``: independent
    streams per seed (numpy's SeedSequence mixes both into one 63-bit integer)."""
    state = np.random.SeedSequence([int(seed), int(step)]).generate_state(2, dtype=np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


@dataclass(frozen=True)
class PromptStream:
    """Prompts of one function class, with an optional curriculum; see the module doc."""

    task: str
    points: int
    dim: int
    max_frequency: int
    half_period: float
    standardize: bool
    points_schedule: Schedule | None = None
    frequency_schedule: Schedule | None = None

    def shape_at(self, step: int) -> tuple[int, int]:
        """Prompt length and maximum frequency at ``step`` (the curriculum's, else full)."""
        points = self.points_schedule.at(step) if self.points_schedule else self.points
        freq = self.frequency_schedule.at(step) if self.frequency_schedule else self.max_frequency
        return points, freq

    def batch(self, seed: int, step: int, size: int) -> IclPrompts:
        """``size`` fresh prompts, step ``step`` of run seed ``seed``'s stream."""
        points, freq = self.shape_at(step)
        return sample_prompts(
            self.task, step_seed(seed, step), size, points, dim=self.dim, max_frequency=freq,
            half_period=self.half_period, standardize=self.standardize,
        )  # fmt: skip

    def training_batch(self, seed: int, step: int, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """What a training step takes (simbias.train.stream_fit): packed prompts
        (``pack_prompts``) and their targets."""
        batch = self.batch(seed, step, size)
        return pack_prompts(batch.xs, batch.ys), batch.ys

    @staticmethod
    def held_out(test: Split) -> tuple[torch.Tensor, torch.Tensor]:
        """The dataset's held-out prompts as :meth:`training_batch` gives a batch."""
        xs, ys = torch.from_numpy(test.x), torch.from_numpy(test.y)
        return pack_prompts(xs, ys), ys

    def to_dict(self) -> dict[str, Any]:
        """The stream as the dataset card records it (``card["stream"]``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PromptStream:
        schedules = {
            key: Schedule(**values[key]) if values.get(key) else None
            for key in ("points_schedule", "frequency_schedule")
        }
        return cls(**{key: values[key] for key in STREAM_KEYS}, **schedules)
