"""Rosenfeld & Risteski 2023, Outliers with Opposing Signals: paired outlier groups
oscillate in opposition. (The edge of stability on the same runs: edge_of_stability.py.)"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simbias.report.claims._base import (
    CLAIMS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_stat,
    regime_stat,
    seed_values,
)

PAPER = (
    "Rosenfeld & Risteski 2023, Outliers with Opposing Signals Have an Outsized Effect on "
    "Neural Network Optimization"
)

#: A seed's groups oppose when the covariance of their score-window loss changes is below
#: 0 and below the permutation null at this one-sided level.
ALPHA = 0.05


def seeds_in_opposition(covariances: np.ndarray, p_values: np.ndarray) -> np.ndarray:
    """Per seed: the groups' loss changes swing in anti-phase (covariance < 0) beyond random
    groups of the same sizes and labels (permutation p < ALPHA). NaN covariances: no."""
    covariances = np.asarray(covariances, dtype=float)
    p_values = np.asarray(p_values, dtype=float)
    if covariances.shape != p_values.shape or covariances.ndim != 1:
        raise ValueError(f"covariances {covariances.shape} and p {p_values.shape} differ")
    with np.errstate(invalid="ignore"):
        return (covariances < 0) & (p_values < ALPHA)


def in_opposition(covariances: np.ndarray, p_values: np.ndarray) -> bool:
    """More than half of the seeds have groups in opposition (:func:`seeds_in_opposition`).
    Under the null each seed passes with probability below ALPHA, so 3 of 5 with below 1%."""
    opposed = seeds_in_opposition(covariances, p_values)
    return bool(len(opposed) and 2 * opposed.sum() > len(opposed))


@CLAIMS.register(
    "opposing_groups_oscillate",
    paper=PAPER,
    caption="The examples whose loss rises most and falls most at an iteration early in "
    "training (different majority labels) swing in opposition later: their loss changes' "
    "covariance is negative beyond random groups of the same labels, in most seeds.",
)
class OpposingGroupsOscillate(Claim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or sorted(summary["regime"].unique()):

            def stat(split: str, metric: str, regime: str = regime) -> pd.Series:
                return regime_stat(summary, regime, split, metric, self.name)

            correlation, p = stat("opposition", "correlation"), stat("opposition", "pvalue")
            covariance = stat("opposition", "covariance")
            opposed = seeds_in_opposition(seed_values(covariance), seed_values(p))
            differ = seed_values(stat("groups_label", "differ"))
            recall = stat("outlier", "recall")
            null = stat("opposition_null", "covariance")["mean"]
            measured = (
                f"score-window covariance of the groups' loss changes {fmt_stat(covariance, '.3g')}"
                f", null median {null:.3g} on average; permutation p per seed "
                f"{', '.join(f'{v:.3f}' for v in seed_values(p))}; correlation "
                f"{fmt_stat(correlation)}, null median "
                f"{stat('opposition_null', 'correlation')['mean']:.3f}; "
                f"{int(opposed.sum())} of {len(opposed)} seeds opposed; groups differ in "
                f"label in {int(np.nansum(differ))} of {len(differ)}; planted outliers' recall "
                + (fmt_stat(recall) if np.isfinite(recall["mean"]) else "n/a (none planted)")
            )
            rows.append(self.row(
                claim=f"under {regime}, the paired outlier groups' losses oscillate in "
                f"opposition ({spec['model']} on {spec['dataset']})",
                experiment=experiment, regime=regime, measured=measured,
                criterion=f"in more than half of the seeds, covariance < 0 and permutation "
                f"p < {ALPHA} against random groups of the same labels (selected on the "
                "first part of training, scored on the rest)",
                n_seeds=int(covariance["n"]),
                passed=in_opposition(seed_values(covariance), seed_values(p)),
                paper_reports="opposing groups' losses oscillate in opposition",
            ))  # fmt: skip
        return rows
