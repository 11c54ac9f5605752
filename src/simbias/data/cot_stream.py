"""The training data of a chain-of-thought run: an endless stream of fresh arithmetic
questions with their solutions (Wu et al. 2025; simbias.data.cot_tasks).

Their generator writes a fixed file of questions once (cot-length synthetic/dataset/
gen_arith_data.py) and their batch_generator samples it; with questions this cheap to draw, a
stream of fresh ones is the same distribution without a file, and step ``t`` of run seed ``s``
draws its batch from ``(s, t)`` alone (``step_seed``, as the in-context regression stream), so
a resumed run draws the batches the uninterrupted one drew.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from simbias.data.base import Split
from simbias.data.cot_tasks import PAD, CotVocab, collate, next_token_targets, sample_problems
from simbias.data.prompt_stream import step_seed

#: A target outside the loss mask (simbias.train.losses.IGNORED, torch's ignore_index).
IGNORED = -100


@dataclass(frozen=True)
class CotStream:
    """Questions of ``min_operators .. max_operators`` operators (uniform), each solved with
    a step size drawn uniformly from ``step_sizes`` (their mixed data: an equal share per k)."""

    min_operators: int
    max_operators: int
    step_sizes: tuple[int, ...]
    operators: tuple[str, ...]
    kind: str = "cot"

    def training_batch(self, seed: int, step: int, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs ``(size, L - 1)`` and next-token targets, the question (and <BEGIN>)
        masked with ``IGNORED``, padding too (cot_tasks.next_token_targets)."""
        problems = sample_problems(
            step_seed(seed, step), size, (self.min_operators, self.max_operators),
            self.step_sizes, self.operators,
        )  # fmt: skip
        ids, mask = collate(problems)
        return next_token_targets(ids, mask, IGNORED)

    @staticmethod
    def held_out(test: Split) -> tuple[torch.Tensor, torch.Tensor]:
        """The test split's solved questions (``x``: token ids padded with <PAD>,
        ``question_len`` per row) as :meth:`training_batch` gives a batch."""
        ids = torch.from_numpy(test.x.astype(np.int64))
        question_len = torch.from_numpy(test.attributes["question_len"])
        positions = torch.arange(ids.shape[1])[None, :]
        mask = (positions > question_len[:, None]) & (ids != CotVocab().id(PAD))
        return next_token_targets(ids, mask, IGNORED)

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["step_sizes"], values["operators"] = list(self.step_sizes), list(self.operators)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CotStream:
        return cls(
            int(values["min_operators"]), int(values["max_operators"]),
            tuple(int(k) for k in values["step_sizes"]), tuple(values["operators"]),
        )  # fmt: skip
