"""One seed's training state when seeds train at once, in memory and in its checkpoint.

Each seed's checkpoint is its own file in its own run's work directory, holding only that
seed's slice (weights and buffers, optimizer state, schedule, shuffling generator, history,
epoch), so one seed's failure or resume never touches another's file. The identity (train
settings, seed, the run's fingerprint, ``seeds_at_once``) must match for a resume; a file
written by other settings, or by the one-seed ``fit``, is ignored with a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from simbias.io import save_torch_atomic
from simbias.train.engine import CHECKPOINT_NAME, load_checkpoint


def fresh_state(model: nn.Module, identity: dict[str, Any]) -> dict[str, Any]:
    """The state of a seed before its first epoch: its initial weights, its generator
    seeded with its seed (as ``fit`` seeds its shuffle generator)."""
    shuffle = torch.Generator(device=next(model.parameters()).device)
    shuffle.manual_seed(identity["seed"])
    return {
        "identity": identity,
        "model": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "optimizer": None,
        "scheduler": None,
        "shuffle_rng": shuffle.get_state(),
        "history": [],
        "epoch": 0,
    }


def load_seed_checkpoint(
    work_dir: Path | None, identity: dict[str, Any], device: torch.device
) -> dict[str, Any] | None:
    """The seed's saved state, or None (no directory, no file, or other settings)."""
    if work_dir is None:
        return None
    return load_checkpoint(work_dir / CHECKPOINT_NAME, device, identity, f"seed {identity['seed']}")


def save_seed_state(work_dir: Path | None, state: dict[str, Any]) -> None:
    """Write the seed's state atomically (a kill mid-write leaves the previous epoch's)."""
    if work_dir is not None:
        save_torch_atomic(work_dir / CHECKPOINT_NAME, state)
