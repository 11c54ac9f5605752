"""The training hyperparameters of one run, checked once when the run starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class TrainSpec(Params):
    """Training hyperparameters (simbias.train.spec.TrainSpec). Defaults live in TrainSpec,
    not in the config, so that an experiment's overrides replace only the keys it names;
    every run records its fully resolved settings in final.json."""

    #: Defaults go into the descriptions, not the config (see the docstring).
    schema_defaults: ClassVar[bool] = False

    epochs: int = param(20, description="Passes over the training set.", minimum=1)
    lr: float = param(0.1, description="Peak learning rate.", exclusive_minimum=0)
    batch_size: int | Literal["full"] = param(
        128,
        description='Examples per step, or "full" for full-batch gradient descent.',
        minimum=1,
    )
    optimizer: Literal["sgd", "adam"] = param("sgd", description="Base optimizer; SAM wraps it.")
    momentum: float = param(0.9, description="SGD momentum.", minimum=0, maximum=1)
    weight_decay: float = param(0.0, description="L2 weight decay.", minimum=0)
    nesterov: bool = param(False, description="Nesterov momentum.")
    schedule: Literal["constant", "cosine", "step"] = param(
        "cosine", description="Learning-rate schedule, applied per step."
    )
    milestones: list[int] = param(
        [],
        description="Epochs at which the step schedule multiplies the lr by gamma.",
        items={"minimum": 1},
    )
    gamma: float = param(0.1, description="Step-schedule factor.", exclusive_minimum=0)
    betas: tuple[float, float] = param(
        (0.9, 0.999),
        description="Adam's (beta1, beta2); SGD ignores them.",
        min_items=2,
        max_items=2,
        items={"minimum": 0, "exclusive_maximum": 1},
    )
    eval_batch_size: int = param(
        2048, description="Batch size for evaluation; no gradients, so it can be large.", minimum=1
    )
    crop_padding: int = param(
        0,
        description="Random crop after zero-padding by this many pixels, batched on the "
        "device; 0 is off.",
        minimum=0,
    )
    flip: bool = param(False, description="Random horizontal flip, batched on the device.")
    precision: Literal["float32", "bf16"] = param(
        "float32",
        description="bf16: bfloat16 autocast (CUDA, or a CPU with native bf16; weights, "
        "optimizer state and the loss stay float32); float32 keeps runs bit-identical.",
    )
    channels_last: bool = param(
        True,
        description="channels_last memory format for image models: faster convolutions"
        " (the default-scale small CNN trains 1.5x faster on CPU), the same results up to"
        " float rounding.",
    )
    compile: bool = param(
        False, description="Train through torch.compile; the first steps pay for compilation."
    )

    def batch_size_for(self, n_examples: int) -> int:
        return n_examples if self.batch_size == "full" else min(int(self.batch_size), n_examples)

    def to_dict(self) -> dict[str, Any]:
        settings = super().to_dict()
        settings["betas"] = list(self.betas)  # JSON and YAML give lists: compare equal
        return settings

    @property
    def augments(self) -> bool:
        return self.crop_padding > 0 or self.flip
