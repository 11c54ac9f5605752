"""Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of
Stability: under full-batch GD sharpness rises to about 2 / lr and hovers there; SAM
(Foret et al. 2021) ends flatter."""

from __future__ import annotations

from typing import Any

from simbias.report.claims._base import (
    CLAIMS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_stat,
    intervals_apart,
    regime_stat,
)

PAPER = (
    "Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of "
    "Stability"
)

#: The largest sharpness, in units of 2 / lr, that counts as "about 2 / lr".
EDGE_LOW, EDGE_HIGH = 0.9, 1.5


def at_edge_of_stability(max_sharpness_over_two_over_lr: float) -> bool:
    return bool(EDGE_LOW <= max_sharpness_over_two_over_lr <= EDGE_HIGH)


@CLAIMS.register(
    "sharpness_reaches_two_over_lr",
    paper=PAPER,
    caption="Under full-batch GD sharpness rises to about 2 / lr (the edge of stability).",
)
class SharpnessReachesTwoOverLr(Claim):
    """The largest sharpness measured, in units of 2 / lr, must lie in [EDGE_LOW, EDGE_HIGH]."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or ["gd"]:
            ratio = regime_stat(summary, regime, "sharpness_over_two_over", "lr", self.name)
            final = regime_stat(summary, regime, "final", "sharpness", self.name)
            bound = regime_stat(summary, regime, "two_over", "lr", self.name)
            rows.append(self.row(
                claim=f"under {regime}, sharpness rises to about 2/lr ({spec['model']} on "
                f"{spec['dataset']})",
                experiment=experiment, regime=regime,
                measured=f"max sharpness / (2/lr) {fmt_stat(ratio)}; final sharpness "
                f"{fmt_stat(final)}, 2/lr {bound['mean']:.3g}",
                criterion=f"mean of max sharpness / (2/lr) in [{EDGE_LOW}, {EDGE_HIGH}]",
                n_seeds=int(ratio["n"]), passed=at_edge_of_stability(ratio["mean"]),
                paper_reports="sharpness hovers at 2/lr under GD (edge of stability)",
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "sam_ends_flatter",
    paper=PAPER,
    caption="SAM ends in a flatter region than the same optimizer without it: lower final "
    "sharpness, 95% CIs apart.",
)
class SamEndsFlatter(Claim):
    """``claim_pairs``: [[sam regime, baseline]] (default [[gd+sam, gd]])."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for treated, baseline in spec.get("claim_pairs") or [["gd+sam", "gd"]]:
            sam = regime_stat(summary, treated, "final", "sharpness", self.name)
            base = regime_stat(summary, baseline, "final", "sharpness", self.name)
            rows.append(self.row(
                claim=f"{treated} ends flatter than {baseline} ({spec['model']} on "
                f"{spec['dataset']})",
                experiment=experiment, regime=f"{treated} vs {baseline}",
                measured=f"final sharpness {treated} {fmt_stat(sam)}, {baseline} "
                f"{fmt_stat(base)}",
                criterion="95% t intervals do not overlap, SAM lower",
                n_seeds=int(sam["n"]), passed=intervals_apart(sam, base, higher=False),
                paper_reports="SAM finds flatter minima (Foret et al. 2021)",
            ))  # fmt: skip
        return rows
