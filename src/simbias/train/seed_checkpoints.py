"""One seed's training state when seeds train at once, in memory and in its checkpoint.

Each seed's checkpoint is its own file in its own run's work directory, holding only that
seed's slice (weights and buffers, optimizer state, schedule, shuffling generator, history,
epoch), so one seed's failure or resume never touches another's file. The identity (train
settings, seed, the run's fingerprint, ``seeds_at_once``) must match for a resume; a file
written by other settings, or by the one-seed ``fit``, is ignored with a warning.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from simbias.io import save_torch_atomic
from simbias.train.engine import CHECKPOINT_NAME


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
    if work_dir is None or not (work_dir / CHECKPOINT_NAME).exists():
        return None
    path = work_dir / CHECKPOINT_NAME
    # Our own file (save_seed_state); it holds a generator state, hence weights_only=False.
    state = torch.load(path, map_location=device, weights_only=False)
    if state.get("identity") != identity:
        warnings.warn(
            f"seed {identity['seed']}: ignoring {path}, written by other settings; starting afresh",
            stacklevel=2,
        )
        return None
    return state


def save_seed_state(work_dir: Path | None, state: dict[str, Any]) -> None:
    """Write the seed's state atomically (a kill mid-write leaves the previous epoch's)."""
    if work_dir is not None:
        save_torch_atomic(work_dir / CHECKPOINT_NAME, state)
