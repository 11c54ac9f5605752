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
    optimizer: Literal["sgd", "adam", "adamw", "lion"] = param(
        "sgd",
        description="Base optimizer; SAM wraps it. adamw: decoupled weight decay (torch AdamW;"
        " Wu et al. 2025's chain-of-thought models, cot-length synthetic/train.py). lion: the"
        " sign of a momentum interpolation (simbias.train.optim.Lion; Bachmann et al. 2023's"
        " optimizer, betas (0.9, 0.99)).",
    )
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
        description="Adam's or Lion's (beta1, beta2); SGD ignores them.",
        min_items=2,
        max_items=2,
        items={"minimum": 0, "exclusive_maximum": 1},
    )
    warmup_steps: int = param(
        0,
        description="Linear warm-up of the lr from 0 over this many steps before the cosine"
        " schedule (cot-length synthetic/train.py get_lr: warmup_iters 50). 0: none (default).",
        minimum=0,
    )
    min_lr_ratio: float = param(
        0.0,
        description="Where the cosine schedule ends, as a fraction of lr (cot-length"
        " synthetic/train.py: min_lr 1e-5 of 1e-4, 0.1). 0: to zero (default).",
        minimum=0,
        maximum=1,
    )
    grad_clip: float | None = param(
        None,
        description="Clip the gradient's global norm to this before each optimizer step"
        " (cot-length synthetic/train.py grad_clip 1.0). Unset: no clipping (default).",
        exclusive_minimum=0,
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
    mixup: float = param(
        0.0,
        description="Mixup's alpha (simbias.train.mixup): every step mixes each (cropped,"
        " flipped) input with the batch's previous one by one lam ~ Beta(alpha, alpha) per"
        " batch and descends lam L(y) + (1 - lam) L(y_previous), the lam drawn from the"
        " run's generator (Bachmann et al. 2023 pre-train with 0.8, scaling_mlps"
        " utils/parsers.py --mixup, through FFCV's ImageMixup/LabelMixup). train_accuracy"
        " then counts the first label of each pair. 0: off.",
        minimum=0,
        maximum=1,
    )
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
    loss: Literal[
        "cross_entropy", "mse", "regression_mse", "next_token", "smoothed_cross_entropy"
    ] = param(
        "cross_entropy",
        description="The training loss (simbias.train.losses): what the update descends, the"
        " stopping goals measure and the sharpness is the Hessian of. cross_entropy (default),"
        " or mse: half the squared distance of the outputs to the one-hot label, summed over"
        " classes, averaged over examples (Cohen et al. 2021's square loss,"
        " locuslab/edge-of-stability src/utilities.py), or regression_mse: the squared error"
        " of real-valued predictions averaged over points and prompts (in-context regression,"
        " Panwar et al.'s mean_squared_error), or next_token: a language model's"
        " cross-entropy of every next token outside the masked question (Wu et al. 2025), or"
        " smoothed_cross_entropy: cross-entropy against labels smoothed by 0.3 (Bachmann et"
        " al. 2023's --smooth, scaling_mlps utils/parsers.py).",
    )
    steps_per_epoch: int | None = param(
        None,
        description="For a dataset that streams fresh examples (in-context regression: a new"
        " batch of prompts every step, simbias.train.stream_fit), the optimizer steps of one"
        " epoch: one history row and log line, the checkpoint cadence and the schedule's unit."
        " Training takes epochs x steps_per_epoch steps of batch_size prompts. On a stored"
        " training set with batch_size full (a coordinate network's full-batch fit), the"
        " full-batch steps of one epoch: history row, epoch probes and checkpoints every"
        " steps_per_epoch steps. Unset (default) for datasets, where an epoch is one pass"
        " over the training set.",
        minimum=1,
    )
    loss_goal: float | None = param(
        None,
        description="Stop once the training loss is below this (e.g. 0.01, Shah et al. 2020's"
        " epsilon); epochs is then the maximum. Checked at the end of every epoch on the whole"
        " training set, the model in eval mode, through the training loss (loss);"
        " the measurement goes into the epoch's history row (goal_train_loss), the epoch and"
        " reason of the stop into final.json (stopped_at_epoch, stop_reason). The learning-rate"
        " schedule still spans epochs. Off when unset (default).",
        exclusive_minimum=0,
    )
    accuracy_goal: float | None = param(
        None,
        description="Stop once the training accuracy reaches this (e.g. 1.0: fit every"
        " example, Cohen et al. 2021's acc_goal); epochs is then the maximum. Measured as"
        " loss_goal's loss (whole training set, eval mode, goal_train_accuracy in the history);"
        " with both goals set, training stops at the first epoch that meets either. Off when"
        " unset (default).",
        exclusive_minimum=0,
        maximum=1,
    )

    #: Settings left out of a checkpoint's identity while unset (None), so that checkpoints
    #: written before they existed still resume; once set, they are part of it.
    OPTIONAL_SETTINGS: ClassVar[tuple[str, ...]] = (
        "loss_goal",
        "accuracy_goal",
        "steps_per_epoch",
        "grad_clip",
    )
    #: Settings left out of the identity while at the value every run had before they
    #: existed, for the same reason.
    IMPLICIT_DEFAULTS: ClassVar[dict[str, Any]] = {
        "loss": "cross_entropy",
        "warmup_steps": 0,
        "min_lr_ratio": 0.0,
        "mixup": 0.0,
    }

    def __post_init__(self) -> None:
        if self.loss_goal is not None and not self.loss_goal > 0:
            raise ValueError(
                f"loss_goal must be above 0 (a loss to get below), got {self.loss_goal}"
            )
        if not 0 <= self.mixup <= 1:  # Johnk's Beta sampler (simbias.train.mixup)
            raise ValueError(f"mixup must be in [0, 1], got {self.mixup}")
        if self.accuracy_goal is not None and not 0 < self.accuracy_goal <= 1:
            raise ValueError(
                f"accuracy_goal must be in (0, 1] (a fraction of the training set),"
                f" got {self.accuracy_goal}"
            )

    def batch_size_for(self, n_examples: int) -> int:
        return n_examples if self.batch_size == "full" else min(int(self.batch_size), n_examples)

    def to_dict(self) -> dict[str, Any]:
        settings = super().to_dict()
        settings["betas"] = list(self.betas)  # JSON and YAML give lists: compare equal
        return settings

    def identity(self) -> dict[str, Any]:
        """The settings as a checkpoint's identity: :meth:`to_dict` without the optional
        settings left unset (``OPTIONAL_SETTINGS``) or at their implicit defaults
        (``IMPLICIT_DEFAULTS``)."""
        settings = self.to_dict()
        for name in self.OPTIONAL_SETTINGS:
            if settings[name] is None:
                del settings[name]
        for name, value in self.IMPLICIT_DEFAULTS.items():
            if settings[name] == value:
                del settings[name]
        return settings

    @property
    def augments(self) -> bool:
        return self.crop_padding > 0 or self.flip
