"""Training dynamics recorded while a run trains: every ``every`` steps, the loss of each
tracked training example (on the device, no host sync), and every ``sharpness_every``
steps the top Hessian eigenvalue of the training loss (the run's ``TrainSpec.loss``; power
iteration on Hessian-vector products) with the learning rate in force — what the
opposing-signals analysis (Rosenfeld & Risteski 2023) and the edge-of-stability analysis
(Cohen et al. 2021: sharpness vs 2/lr) read.

The recorder's state travels in the engine's checkpoint, so a resumed run records the same
dynamics as an uninterrupted one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from simbias.io import save_npz_atomic
from simbias.params import Params, param
from simbias.train.losses import mean_loss
from simbias.train.recorders import RECORDERS
from simbias.train.sharpness import per_example_losses, top_hessian_eigenvalue

DYNAMICS_NAME = "dynamics.npz"


@dataclass(frozen=True, kw_only=True)
class DynamicsSettings(Params):
    """The dynamics recorder's settings (an experiment's ``dynamics`` section)."""

    #: Defaults in the descriptions: a run's spec holds only the keys its config names.
    schema_defaults: ClassVar[bool] = False

    every: int = param(
        1, description="Optimizer steps between loss records, and one at step 0.", minimum=1
    )
    track: int = param(
        0, description="Training examples tracked, a seeded subset; 0 = all.", minimum=0
    )
    sharpness_every: int = param(
        10,
        description="Steps between sharpness measurements, a multiple of every; 0 = never.",
        minimum=0,
    )
    sharpness_iters: int = param(
        20, description="Power-iteration steps per sharpness measurement.", minimum=1
    )
    sharpness_examples: int = param(
        0, description="Examples in the sharpness loss, a seeded subset; 0 = all.", minimum=0
    )

    def __post_init__(self) -> None:
        if self.sharpness_every and self.sharpness_every % self.every:
            raise ValueError(
                f"sharpness_every ({self.sharpness_every}) must be a multiple of every"
                f" ({self.every})"
            )


def _subset(n: int, size: int, seed: int, device: torch.device) -> torch.Tensor:
    if size == 0 or size >= n:
        return torch.arange(n, device=device)
    generator = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=generator)[:size].sort().values.to(device)


@RECORDERS.register(
    "dynamics",
    params=DynamicsSettings,
    caption="""Record training dynamics into each run's dynamics.npz: per-example losses every
    `every` steps, sharpness (top Hessian eigenvalue, power iteration) every `sharpness_every`
    steps. Needed by the opposing_signals analysis.""",
    hook="step",
)
class DynamicsRecorder:
    """A step hook for ``fit``: ``recorder(step, model, optimizer)`` after every step."""

    def __init__(
        self,
        settings: DynamicsSettings,
        x: torch.Tensor,
        y: torch.Tensor,
        seed: int,
        loss: str = "cross_entropy",
    ):
        self.settings = settings
        self.seed = seed
        # The run's training loss (TrainSpec.loss): the losses recorded and the Hessian's.
        self.loss = loss
        self.loss_fn = mean_loss(loss)
        self.tracked = _subset(len(y), settings.track, seed, x.device)
        self.x, self.y = x[self.tracked], y[self.tracked]
        sharp = _subset(len(y), settings.sharpness_examples, seed + 1, x.device)
        self.sharp_x, self.sharp_y = x[sharp], y[sharp]
        self.steps: list[int] = []
        self.losses: list[torch.Tensor] = []
        self.sharpness: list[float] = []
        self.lr: list[float] = []

    def __call__(self, step: int, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        if step % self.settings.every:
            return
        self.steps.append(step)
        self.losses.append(per_example_losses(model, self.x, self.y, loss=self.loss))
        self.lr.append(float(optimizer.param_groups[0]["lr"]))
        every = self.settings.sharpness_every
        if every and step % every == 0:
            # A generator per measurement: resumed runs draw the same start vectors.
            generator = torch.Generator(device=self.sharp_x.device).manual_seed(
                self.seed * 1_000_003 + step
            )
            value = top_hessian_eigenvalue(
                model, self.loss_fn, self.sharp_x, self.sharp_y,
                iters=self.settings.sharpness_iters, generator=generator,
            )  # fmt: skip
        else:
            value = math.nan
        self.sharpness.append(value)

    def state_dict(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "losses": [loss.cpu() for loss in self.losses],
            "sharpness": list(self.sharpness),
            "lr": list(self.lr),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        device = self.x.device
        self.steps = list(state["steps"])
        self.losses = [loss.to(device) for loss in state["losses"]]
        self.sharpness = list(state["sharpness"])
        self.lr = list(state["lr"])

    def arrays(self) -> dict[str, np.ndarray]:
        losses = torch.stack(self.losses).cpu().numpy() if self.losses else np.zeros((0, 0))
        return {
            "steps": np.asarray(self.steps, dtype=np.int64),
            "losses": losses.astype(np.float32),
            "tracked_index": self.tracked.cpu().numpy().astype(np.int64),
            # The tracked examples' labels: opposing groups must differ in label.
            "labels": self.y.cpu().numpy().astype(np.int64),
            "sharpness": np.asarray(self.sharpness, dtype=np.float64),
            "lr": np.asarray(self.lr, dtype=np.float64),
        }

    def save(self, out_dir: str | Path) -> Path:
        return save_npz_atomic(Path(out_dir) / DYNAMICS_NAME, **self.arrays())


def load_dynamics(run_dir: str | Path, needed_by: str) -> dict[str, np.ndarray]:
    """A run's recorded dynamics (the arrays of :meth:`DynamicsRecorder.arrays`), or a
    clear error naming ``needed_by`` when the run recorded none."""
    path = Path(run_dir) / DYNAMICS_NAME
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the {needed_by} needs the experiment's dynamics"
        )
    with np.load(path) as npz:
        return {key: npz[key] for key in npz.files}
