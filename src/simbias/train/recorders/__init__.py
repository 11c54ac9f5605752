"""What a run records while it trains: one module per recorder, named after it.

Each module registers its recorder with ``RECORDERS``; ``hook`` (registration meta) says
where the engine calls it: ``"step"`` after every optimizer step (``fit(step_hook=...)``,
the experiment's ``dynamics`` section, which takes parameters) or ``"epoch"`` after every
epoch (``fit(epoch_probes=...)``, named in the experiment's ``probes`` list; built from the
dataset card by the registered function).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

from simbias.components import Catalogue

RECORDERS = Catalogue("recorder", "simbias.train.recorders")

Probe = Callable[[nn.Module], dict[str, float]]


def build_probes(names: Sequence[str], card: dict) -> list[Probe]:
    """The per-epoch probes ``names`` (an experiment's ``probes``) for a dataset's card."""
    probes = []
    for name in names:
        entry = RECORDERS.get(name)
        if entry.meta.get("hook") != "epoch":
            epoch = [e.name for e in RECORDERS.entries() if e.meta.get("hook") == "epoch"]
            raise ValueError(f"recorder {name!r} is not a per-epoch probe; probes: {epoch}")
        probes.append(entry.obj(card))
    return probes
