"""A policy-gradient phase as a regime piece (run level): after its supervised epochs, a
chain-of-thought run is trained further by REINFORCE on the step size k it chooses itself
(Wu et al. 2025, "When More is Less", the RL part of their simplicity bias). Its settings are
the piece; simbias.train.stream_run runs it and simbias.train.policy_gradient does the work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simbias.params import Params, param
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece


@dataclass(frozen=True, kw_only=True)
class PolicyGradientParams(Piece, Params):
    """REINFORCE after the supervised epochs: per question the model samples its step token
    k after <BEGIN>, writes the chain greedily, and is rewarded for the right answer. The
    paper gives no algorithm for its synthetic tasks; these are the standard choices
    (simbias.train.policy_gradient says why each)."""

    epochs: int = param(
        description="RL epochs of steps_per_epoch steps: one history row each.", minimum=1
    )
    steps_per_epoch: int = param(20, description="Policy-gradient steps per RL epoch.", minimum=1)
    batch_size: int = param(
        64, description="Questions per step, all of one T drawn for the step.", minimum=2
    )
    lr: float = param(
        1.0e-4, description="Adam's learning rate, constant (no schedule).", exclusive_minimum=0
    )
    start_from: str = param(
        "",
        description="A regime whose runs (same dataset, model, seed and records) this phase"
        " starts from: their final weights, after their supervised epochs, which must be this"
        " regime's train settings. Empty: this run trains the supervised epochs itself.",
    )
    reward: Literal["correct", "shuffled"] = param(
        "correct",
        description="correct: 1 if the final answer is right, else 0. shuffled: the same"
        " rewards permuted within the batch (the control: the same reward rate and gradient"
        " size, independent of the k chosen; a constant reward would give no gradient at all"
        " under the mean baseline).",
    )


PIECES.register(
    "policy_gradient",
    params=PolicyGradientParams,
    caption="REINFORCE on the self-chosen CoT step size k, reward the right answer (Wu et al."
    " 2025's RL phase), after the supervised epochs.",
    slot="policy_gradient",
    seeds_at_once="chain-of-thought runs train on a question stream, one seed at a time",
)(PolicyGradientParams)
