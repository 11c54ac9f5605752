"""The training hyperparameters of one run, checked once when the run starts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OPTIMIZERS = ("sgd",)
SCHEDULES = ("constant", "cosine", "step")


@dataclass(frozen=True)
class TrainSpec:
    epochs: int = 20
    lr: float = 0.1
    #: An integer, or "full" for full-batch gradient descent.
    batch_size: int | str = 128
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 0.0
    nesterov: bool = False
    schedule: str = "cosine"
    #: Epochs at which the "step" schedule multiplies the learning rate by ``gamma``.
    milestones: list[int] = field(default_factory=list)
    gamma: float = 0.1
    #: Evaluation batch size (no gradients, so it can be large).
    eval_batch_size: int = 2048

    def __post_init__(self) -> None:
        problems = []
        if self.epochs < 1:
            problems.append(f"epochs must be >= 1, got {self.epochs}")
        if not self.lr > 0:
            problems.append(f"lr must be > 0, got {self.lr}")
        if self.batch_size != "full" and not (
            isinstance(self.batch_size, int) and self.batch_size >= 1
        ):
            problems.append(
                f"batch_size must be a positive integer or 'full', got {self.batch_size!r}"
            )
        if self.optimizer not in OPTIMIZERS:
            problems.append(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if problems:
            raise ValueError("invalid training settings: " + "; ".join(problems))

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TrainSpec:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(f"unknown training settings {unknown}; known: {sorted(known)}")
        return cls(**settings)

    def batch_size_for(self, n_examples: int) -> int:
        return n_examples if self.batch_size == "full" else min(int(self.batch_size), n_examples)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
