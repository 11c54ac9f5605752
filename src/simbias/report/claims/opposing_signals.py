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
)

PAPER = (
    "Rosenfeld & Risteski 2023, Outliers with Opposing Signals Have an Outsized Effect on "
    "Neural Network Optimization"
)


def in_opposition(correlation: pd.Series) -> bool:
    """The 95% interval of the groups' loss-change correlation lies below 0."""
    return bool(correlation["ci_high"] < 0)


@CLAIMS.register(
    "opposing_groups_oscillate",
    paper=PAPER,
    caption="The two groups of examples whose loss changes most move in opposition: their "
    "loss changes are negatively correlated (95% CI below 0).",
)
class OpposingGroupsOscillate(Claim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or sorted(summary["regime"].unique()):
            stat = regime_stat(summary, regime, "opposition", "correlation", self.name)
            measured = f"correlation of the groups' loss changes {fmt_stat(stat)}"
            if not np.isfinite(stat["mean"]):
                sizes = [regime_stat(summary, regime, f"group_{g}", "size", self.name)["mean"]
                         for g in "ab"]  # fmt: skip
                measured += (
                    f" (group sizes {sizes[0]:.1f} and {sizes[1]:.1f} on average: in some seed"
                    " every top-changing example moves the same way, so no opposing pair)"
                )
            rows.append(self.row(
                claim=f"under {regime}, the paired outlier groups' losses oscillate in "
                f"opposition ({spec['model']} on {spec['dataset']})",
                experiment=experiment, regime=regime, measured=measured,
                criterion="95% CI of the correlation entirely below 0",
                n_seeds=int(stat["n"]), passed=in_opposition(stat),
                paper_reports="opposing groups' losses oscillate in opposition",
            ))  # fmt: skip
        return rows
