"""Sharpness-Aware Minimization (SAM, Foret et al. 2021) and adaptive SAM (ASAM, Kwon et al. 2021).

SAM minimises the worst loss in a ball around the weights, max_{||e|| <= rho} L(w + e).
To first order the maximiser is e(w) = rho * g / ||g|| with g = grad L(w); ASAM measures the
ball in the weight-scaled norm ||e / |w| ||, which makes the maximiser
e(w) = rho * w^2 * g / ||w * g|| (all products elementwise). One SAM update is therefore

    1. g1 = grad L(w)                        (caller: forward + backward)
    2. w  <- w + e(w)                        (``first_step``)
    3. g2 = grad L(w + e(w))                 (caller: forward + backward again)
    4. w  <- w restored, then base step with g2   (``second_step``)

The norms ||.|| are taken over all parameters jointly and stay on the device (no host sync).

Typical use in a training step (BatchNorm statistics come from the first pass only)::

    loss = loss_fn(model(x), y)  # e.g. F.cross_entropy (simbias.train.losses)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.first_step(zero_grad=True)
    with bn_stats_frozen(model):
        loss_fn(model(x), y).backward()
    optimizer.second_step()
    scheduler.step()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

#: Added to ||g|| so that a zero gradient gives e(w) = 0 instead of 0/0.
NORM_FLOOR = 1e-12

_BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


class SAM(torch.optim.Optimizer):
    """SAM (or ASAM with ``adaptive=True``) around a base optimizer that takes the actual step.

    The base optimizer is built on this object's parameter groups, and both share the same
    group dictionaries: an LR scheduler on the SAM object changes the base optimizer's lr, and
    ``rho``/``adaptive`` live per group next to ``lr``.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        base_optimizer_cls: type[torch.optim.Optimizer],
        rho: float,
        adaptive: bool = False,
        **base_kwargs: Any,
    ) -> None:
        # rho's default and bound are the regime piece's (simbias.train.pieces.sam).
        super().__init__(params, dict(rho=rho, adaptive=adaptive, **base_kwargs))
        # The base optimizer adopts our group dicts (it fills in its own defaults in place);
        # sharing its list too keeps the two views identical.
        self.base_optimizer = base_optimizer_cls(self.param_groups, **base_kwargs)
        self.param_groups = self.base_optimizer.param_groups
        self.defaults.update(self.base_optimizer.defaults)
        # Parameters moved to w + e(w) by first_step and not yet restored; None between steps.
        self._climbed: list[torch.Tensor] | None = None

    @torch.no_grad()
    def first_step(self, zero_grad: bool = False) -> None:
        """Move the weights to w + e(w), the first-order worst case in the rho-ball.

        Uses the gradients currently in ``p.grad`` (computed at w); parameters whose grad is
        None are left where they are. The old weights are kept to be restored exactly.
        """
        if self._climbed is not None:
            raise RuntimeError("first_step called twice without second_step in between")
        grad_norm = self._grad_norm()
        climbed = []
        for group in self.param_groups:
            scale = group["rho"] / (grad_norm + NORM_FLOOR)
            for p in group["params"]:
                if p.grad is None:
                    continue
                self._remember(p)
                p.add_(self._ascent(p, group["adaptive"]) * scale.to(p.device))
                climbed.append(p)
        self._climbed = climbed
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad: bool = False) -> None:
        """Restore w exactly, then let the base optimizer step with the grads taken at w + e(w)."""
        if self._climbed is None:
            raise RuntimeError("second_step called without a first_step before it")
        # A copy, not w + e - e: subtraction would drift w by rounding error every step.
        for p in self._climbed:
            p.copy_(self.state[p]["old_p"])
        self._climbed = None
        self.base_optimizer.step()
        # Tells an LR scheduler on this object that an optimizer step happened, as calling
        # the scheduler-wrapped ``step`` would; otherwise it warns about the call order.
        self._opt_called = True
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One SAM update; grads at w must already be in ``p.grad``.

        ``closure`` recomputes the loss and calls backward (it runs with grad enabled, at
        w + e(w), after the grads are zeroed); its return value is returned.
        """
        if closure is None:
            raise ValueError("SAM.step needs a closure that recomputes the loss and its grads")
        self.first_step(zero_grad=True)
        with torch.enable_grad():
            loss = closure()
        self.second_step()
        return loss

    def state_dict(self) -> dict[str, Any]:
        """The base optimizer's state dict (its buffers, and groups that include rho/adaptive).

        SAM itself carries nothing across updates: the stored weights live only between
        first_step and second_step, where saving is refused.
        """
        if self._climbed is not None:
            raise RuntimeError("cannot save SAM state between first_step and second_step")
        return self.base_optimizer.state_dict()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict from ``state_dict`` (or from a plain base optimizer)."""
        if self._climbed is not None:
            raise RuntimeError("cannot load SAM state between first_step and second_step")
        self.base_optimizer.load_state_dict(state_dict)
        # Loading replaces the base optimizer's group dicts; share the new ones again.
        self.param_groups = self.base_optimizer.param_groups
        for group in self.param_groups:
            group.setdefault("rho", self.defaults["rho"])
            group.setdefault("adaptive", self.defaults["adaptive"])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group to both SAM and the base optimizer (they share the group list)."""
        if not hasattr(self, "base_optimizer"):  # during Optimizer.__init__
            super().add_param_group(param_group)
            return
        param_group.setdefault("rho", self.defaults["rho"])
        param_group.setdefault("adaptive", self.defaults["adaptive"])
        self.base_optimizer.add_param_group(param_group)

    def _grad_norm(self) -> torch.Tensor:
        """||g|| (SAM) or ||w * g|| (ASAM) over all parameters jointly, as a device tensor."""
        norms = [
            torch.linalg.vector_norm(p.grad * p.abs() if group["adaptive"] else p.grad)
            for group in self.param_groups
            for p in group["params"]
            if p.grad is not None
        ]
        if not norms:
            return torch.zeros(())
        device = norms[0].device
        # The norm of the per-tensor norms is the norm of their concatenation.
        return torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]))

    @staticmethod
    def _ascent(p: torch.Tensor, adaptive: bool) -> torch.Tensor:
        """The unscaled direction of e(w): g, or w^2 * g for ASAM."""
        return p.grad * p.square() if adaptive else p.grad

    def _remember(self, p: torch.Tensor) -> None:
        """Copy w into a buffer kept across steps (no new allocation after the first)."""
        state = self.state[p]
        old = state.get("old_p")
        if old is None or old.shape != p.shape or old.dtype != p.dtype or old.device != p.device:
            state["old_p"] = p.detach().clone()
        else:
            old.copy_(p)


@contextmanager
def bn_stats_frozen(model: nn.Module) -> Iterator[None]:
    """Leave every BatchNorm's running statistics exactly as they were on entry.

    For SAM's second forward pass: normalisation still uses the batch statistics (train mode),
    but the running mean/var and batch counter keep the values from the first pass. Restoring
    a copy is exact for any momentum, including None (a cumulative average).
    """
    saved = [
        (module, name, buffer.clone())
        for module in model.modules()
        if isinstance(module, _BatchNorm)
        for name in _BN_BUFFERS
        if (buffer := getattr(module, name, None)) is not None
    ]
    try:
        yield
    finally:
        with torch.no_grad():
            for module, name, copy in saved:
                getattr(module, name).copy_(copy)
