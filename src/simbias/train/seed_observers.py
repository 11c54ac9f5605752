"""Recorders on seeds trained at once: each seed's step hook and epoch probes see that
seed's own network, as ``fit`` shows it to them.

The steps are batched; what observes them is not. After a step, each seed's slice of the
stacked weights is copied into that seed's own module (a few small tensors), and the
seed's recorder (per-example losses, sharpness by Hessian-vector products) runs on it
exactly as it does in ``fit``: the same code, so the same records up to the float rounding
of the batched step. A recorder's state goes into its seed's checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from torch import nn

from simbias.train.stacked_model import StackedModel

Probe = Callable[[nn.Module], dict[str, float]]


class SeedObservers:
    """The step hooks (one per seed, or None) and epoch probes of a batch of seeds."""

    def __init__(
        self,
        models: list[nn.Module],
        step_hooks: Sequence[Any] | None,
        epoch_probes: Sequence[Probe],
    ) -> None:
        self.models = models
        self.hooks = list(step_hooks) if step_hooks is not None else [None] * len(models)
        self.probes = list(epoch_probes)
        self.active = any(hook is not None for hook in self.hooks) or bool(self.probes)

    def subset(self, indices: Sequence[int]) -> SeedObservers:
        return SeedObservers(
            [self.models[i] for i in indices], [self.hooks[i] for i in indices], self.probes
        )

    def _materialize(self, stacked: StackedModel, i: int) -> nn.Module:
        return stacked.copy_seed_into(i, self.models[i])

    def start(self, stacked: StackedModel, optimizer, states: list[dict[str, Any]]) -> None:
        """Resume each hook from its seed's state, or record step 0 (as ``fit`` does)."""
        for i, (hook, state) in enumerate(zip(self.hooks, states, strict=True)):
            if hook is None:
                continue
            if state.get("step_hook") is not None:
                hook.load_state_dict(state["step_hook"])
            elif state["epoch"] == 0:
                hook(0, self._materialize(stacked, i), optimizer)

    def after_step(self, step: int, stacked: StackedModel, optimizer) -> None:
        for i, hook in enumerate(self.hooks):
            if hook is not None:
                hook(step, self._materialize(stacked, i), optimizer)

    def probe(self, stacked: StackedModel, i: int) -> dict[str, float]:
        """The epoch probes' values for seed ``i`` (its history row's extra columns)."""
        row: dict[str, float] = {}
        if self.probes:
            model = self._materialize(stacked, i)
            for probe in self.probes:
                row.update(probe(model))
        return row

    def hook_state(self, i: int) -> Any:
        hook = self.hooks[i]
        return hook.state_dict() if hasattr(hook, "state_dict") else None
