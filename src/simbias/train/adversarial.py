"""Adversarial examples (PGD, FGSM) as an input transform, and robust accuracy.

An attack looks for delta in the eps-ball that maximises the cross-entropy of x + delta:

* PGD-k (Madry et al. 2018): from delta_0 (0 or a random point of the ball), k times
  delta <- Proj_ball(delta + step), with step = alpha * sign(grad) for linf (steepest
  ascent under the linf norm) or alpha * grad / ||grad|| for l2, per example.
* FGSM with random start ("Fast is better than free", Wong et al. 2020): delta_0 ~ U(-eps, eps),
  one linf step of alpha = 1.25 eps, then clamp to [-eps, eps]; i.e. PGD-1 with its own alpha.

After each step x + delta is also clamped to the valid input range ``clip``. Clamping a point
of the box towards x only shrinks |delta| elementwise, so it stays in the ball (x must lie in
``clip``). Gradients are taken w.r.t. delta alone; the model's ``.grad`` are never touched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import torch
from torch import nn
from torch.nn import functional as F

from simbias.params import Params, param

#: Floor on per-example norms so that a zero gradient or delta does not divide by zero.
_NORM_FLOOR = 1e-12


@dataclass(frozen=True, kw_only=True)
class AdversarialParams(Params):
    """The settings of an L_p-bounded attack (a regime's ``adversarial`` section);
    ``step_size`` left out takes the usual default."""

    kind: Literal["pgd", "fgsm"] = param(
        description="PGD-k (Madry et al.) or FGSM with random start (Wong et al. 2020)."
    )
    norm: Literal["linf", "l2"] = param("linf", description="Threat model (FGSM is linf only).")
    eps: float = param(description="Radius of the perturbation ball.", exclusive_minimum=0)
    step_size: float | None = param(
        None,
        description="Ascent step (default 2.5 eps / steps for PGD, Madry et al.; 1.25 eps "
        "for FGSM, Wong et al.).",
        exclusive_minimum=0,
    )
    steps: int = param(7, description="PGD steps (FGSM takes one).", minimum=1)
    random_start: bool = param(True, description="Start from a random point in the ball.")

    def __post_init__(self) -> None:
        if self.kind == "fgsm" and self.norm != "linf":
            raise ValueError(f"norm must be 'linf' for FGSM, got {self.norm!r}")
        if self.step_size is None:
            default = 1.25 * self.eps if self.kind == "fgsm" else 2.5 * self.eps / self.steps
            object.__setattr__(self, "step_size", default)


@dataclass(frozen=True, kw_only=True)
class Attack(AdversarialParams):
    """An attack: its settings, and ``clip``, None or the (low, high) range of valid inputs
    (the dataset's, not a config key)."""

    clip: tuple[float, float] | None = param(None, description="Range of valid inputs.")

    def __post_init__(self) -> None:
        if isinstance(self.clip, list):  # from YAML/JSON; a tuple keeps the attack hashable
            object.__setattr__(self, "clip", tuple(self.clip))
        if self.clip is not None and not _valid_range(self.clip):
            raise ValueError(f"clip must be None or (low, high) with low < high, got {self.clip!r}")
        super().__post_init__()

    @classmethod
    def from_params(
        cls, settings: AdversarialParams, clip: Sequence[float] | None = None
    ) -> Attack:
        values = {f.name: getattr(settings, f.name) for f in fields(AdversarialParams)}
        return cls(**values, clip=tuple(clip) if clip else None)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None, where: str = "attack") -> Attack:
        """An attack from a config mapping (plus an optional ``clip``), checked against
        :class:`AdversarialParams`: unknown or missing keys and bad values are refused."""
        values = dict(values or {})
        clip = values.pop("clip", None)
        return cls.from_params(AdversarialParams.from_dict(values, where), clip)

    @property
    def n_steps(self) -> int:
        """Gradient steps the attack takes: ``steps`` for PGD, one for FGSM."""
        return 1 if self.kind == "fgsm" else self.steps


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _valid_range(clip: Any) -> bool:
    return (
        isinstance(clip, tuple)
        and len(clip) == 2
        and all(_is_real(v) for v in clip)
        and clip[0] < clip[1]
    )


def perturb(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attack: Attack,
    generator: torch.Generator | None = None,
    start: torch.Tensor | None = None,
) -> torch.Tensor:
    """Adversarial inputs x + delta (detached) for labels ``y`` under ``attack``.

    The model runs in eval mode during the attack (BatchNorm statistics untouched) and gets
    its previous mode back. Random starts draw from ``generator`` (on x's device) when given,
    else from the global RNG; ``start`` gives delta_0 instead (seeds trained at once draw
    each seed's from its own generator, :func:`initial_delta`). No host synchronisation.
    """
    was_training = model.training
    model.eval()
    try:
        delta = initial_delta(x, attack, generator) if start is None else start
        delta = _clip(x, delta, attack.clip)
        for _ in range(attack.n_steps):
            grad = _loss_grad(model, x, y, delta)
            delta = _project(delta + _ascent_step(grad, attack), attack)
            delta = _clip(x, delta, attack.clip)
        return (x + delta).detach()
    finally:
        model.train(was_training)


@torch.no_grad()
def robust_accuracy(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attack: Attack,
    batch_size: int = 512,
    generator: torch.Generator | None = None,
) -> float:
    """Accuracy (eval mode) on ``attack``'s perturbations of ``x``; one host read at the end."""
    if len(x) == 0:
        raise ValueError("robust_accuracy needs at least one example")
    was_training = model.training
    correct = torch.zeros((), dtype=torch.long, device=x.device)
    try:
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            x_adv = perturb(model, xb, yb, attack, generator)  # leaves the model in eval mode
            model.eval()
            correct += (model(x_adv).argmax(dim=1) == yb).sum()
    finally:
        model.train(was_training)
    return float(correct) / len(x)


def _per_example_norm(t: torch.Tensor) -> torch.Tensor:
    """The l2 norm of each example, shaped to broadcast against ``t``."""
    norms = torch.linalg.vector_norm(t.flatten(1), dim=1)
    return norms.view(-1, *([1] * (t.dim() - 1)))


def initial_delta(
    x: torch.Tensor, attack: Attack, generator: torch.Generator | None
) -> torch.Tensor:
    """delta_0: zero, or a random point of the eps-ball.

    linf: uniform in the cube [-eps, eps]^d. l2: a uniformly random direction (normalised
    gaussian) with radius uniform in [0, eps]; in the ball, though not uniform over its volume.
    """
    if not attack.random_start:
        return torch.zeros_like(x)
    if attack.norm == "linf":
        unit = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return (2 * unit - 1) * attack.eps
    direction = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    direction = direction / _per_example_norm(direction).clamp_min(_NORM_FLOOR)
    radius = torch.rand(len(x), generator=generator, device=x.device, dtype=x.dtype)
    return direction * radius.view(-1, *([1] * (x.dim() - 1))) * attack.eps


def _loss_grad(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, delta: torch.Tensor
) -> torch.Tensor:
    """d CE(model(x + delta), y) / d delta, without accumulating anything into the params."""
    delta = delta.detach().requires_grad_(True)
    with torch.enable_grad():
        # Summed, so each example's gradient does not shrink with the batch size.
        loss = F.cross_entropy(model(x + delta), y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, delta)
    return grad


def _ascent_step(grad: torch.Tensor, attack: Attack) -> torch.Tensor:
    """The steepest-ascent step of length step_size under the attack's norm."""
    if attack.norm == "linf":
        return attack.step_size * grad.sign()
    return attack.step_size * grad / _per_example_norm(grad).clamp_min(_NORM_FLOOR)


def _project(delta: torch.Tensor, attack: Attack) -> torch.Tensor:
    """The nearest point of the eps-ball, per example."""
    if attack.norm == "linf":
        return delta.clamp(-attack.eps, attack.eps)
    shrink = (attack.eps / _per_example_norm(delta).clamp_min(_NORM_FLOOR)).clamp(max=1.0)
    return delta * shrink


def _clip(x: torch.Tensor, delta: torch.Tensor, clip: tuple[float, float] | None) -> torch.Tensor:
    """delta such that x + delta lies in the valid input range."""
    if clip is None:
        return delta
    return (x + delta).clamp(clip[0], clip[1]) - x
