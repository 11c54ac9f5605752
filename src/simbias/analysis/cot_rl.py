"""The policy-gradient phase of a chain-of-thought run, read from its history (Wu et al.
2025: under RL "models gravitate towards shorter CoTs as their accuracy improves"). The
phase (simbias.train.policy_gradient) writes one history row per RL epoch: the share of its
rollouts answered right (``rl_accuracy``) and the mean number of steps ceil(T / k) of the
step sizes it chose (``rl_mean_steps``). Per run this gives the trend the claim and the
figure read: how the two move together over the RL epochs, and from start to end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ACCURACY, STEPS = "rl_accuracy", "rl_mean_steps"


def rl_rows(history: pd.DataFrame) -> pd.DataFrame:
    """The history's RL rows in RL-epoch order (none for a run without the phase)."""
    if "rl_epoch" not in history:
        return history.iloc[:0]
    return history[history["rl_epoch"].notna()].sort_values("rl_epoch")


@dataclass(frozen=True)
class RlTrend:
    """One run's RL epochs: the rank correlation of accuracy with mean steps, and both at
    the first and last RL epoch."""

    spearman: float
    accuracy_start: float
    accuracy_end: float
    steps_start: float
    steps_end: float

    @property
    def accuracy_gain(self) -> float:
        return self.accuracy_end - self.accuracy_start

    @property
    def steps_change(self) -> float:
        return self.steps_end - self.steps_start


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation; 0 when either series is constant (no monotone relation
    to measure, where the formula divides by zero)."""
    a, b = pd.Series(np.asarray(a, float)), pd.Series(np.asarray(b, float))
    if a.nunique() < 2 or b.nunique() < 2:
        return 0.0
    return float(a.corr(b, method="spearman"))


def rl_trend(history: pd.DataFrame) -> RlTrend:
    """The trend of one run's RL rows (two or more RL epochs)."""
    rows = rl_rows(history)
    if len(rows) < 2:
        raise ValueError(f"a policy-gradient trend needs 2 or more RL epochs, got {len(rows)}")
    accuracy, steps = rows[ACCURACY].to_numpy(float), rows[STEPS].to_numpy(float)
    return RlTrend(spearman(accuracy, steps), accuracy[0], accuracy[-1], steps[0], steps[-1])
