"""Ensembles as a regime piece (run level): its settings are the piece; simbias.train.run
trains the members and averages their logits (simbias.models.ensemble)."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.params import Params, param
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece


@dataclass(frozen=True, kw_only=True)
class EnsembleParams(Piece, Params):
    """Average the logits of ``members`` independently trained networks."""

    members: int = param(5, description="Number of members.", minimum=2)


PIECES.register(
    "ensemble",
    params=EnsembleParams,
    caption="Independently trained members whose logits are averaged.",
    slot="ensemble",
    # Members are seeds of their own: all members of all seeds train at once
    # (simbias.train.seed_batch).
    seeds_at_once=True,
)(EnsembleParams)
