"""The training hyperparameters of one run, checked once when the run starts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

Settings = TypeVar("Settings")

OPTIMIZERS = ("sgd", "adam")
PRECISIONS = ("float32", "bf16")
SCHEDULES = ("constant", "cosine", "step")


def settings_from_dict(cls: type[Settings], section: str, values: dict[str, Any]) -> Settings:
    """``cls(**values)`` for a dataclass of settings, refusing keys it has no field for and
    naming the config ``section`` they came from."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown {section} settings {unknown}; known: {sorted(known)}")
    return cls(**values)


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
    #: Adam's (beta1, beta2); SGD ignores them.
    betas: tuple[float, float] | list[float] = (0.9, 0.999)
    #: Evaluation batch size (no gradients, so it can be large).
    eval_batch_size: int = 2048
    #: Random crop after zero-padding by this many pixels (0: off) and random horizontal
    #: flip, drawn per example on the device (torchvision's RandomCrop(padding) + flip).
    crop_padding: int = 0
    flip: bool = False
    #: "bf16": forward and backward under bfloat16 autocast (weights, optimizer state and
    #: the loss stay float32). float32 keeps CPU runs bit-identical across resumes.
    precision: str = "float32"
    #: channels_last memory format for 4-D inputs and the model (faster convolutions).
    channels_last: bool = False
    #: Train through torch.compile (first steps pay for compilation).
    compile: bool = False

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
        if self.precision not in PRECISIONS:
            problems.append(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if not (isinstance(self.crop_padding, int) and self.crop_padding >= 0):
            problems.append(f"crop_padding must be an integer >= 0, got {self.crop_padding!r}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            problems.append(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if problems:
            raise ValueError("invalid training settings: " + "; ".join(problems))

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TrainSpec:
        return settings_from_dict(cls, "training", settings)

    def batch_size_for(self, n_examples: int) -> int:
        return n_examples if self.batch_size == "full" else min(int(self.batch_size), n_examples)

    def to_dict(self) -> dict[str, Any]:
        settings = asdict(self)
        settings["betas"] = list(self.betas)  # JSON and YAML give lists: compare equal
        return settings

    @property
    def augments(self) -> bool:
        return self.crop_padding > 0 or self.flip
