"""Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of
Stability: under full-batch GD the sharpness rises (progressive sharpening) from well
below 2 / lr to 2 / lr and hovers there; SAM (Foret et al. 2021), at the same step size,
hovers flatter.

Both read the ``edge_of_stability`` analysis (simbias.analysis.edge_of_stability): the
sharpness at initialisation and its median over the last third of training, in units of
2 / lr (``initial_ratio``, ``late_ratio``).
"""

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
    seed_values,
)

PAPER = (
    "Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of "
    "Stability"
)

#: Sharpness at initialisation below this share of 2 / lr: there is sharpening to see.
INITIAL_BELOW = 0.5
#: The median over the last third of training within this band, in units of 2 / lr: it
#: hovers at the edge (Cohen et al.: "at, or just above, 2/eta").
EDGE_LOW, EDGE_HIGH = 0.9, 1.2


def at_edge_of_stability(initial_ratio: float, late_ratio: float) -> bool:
    """One run rose to the edge of stability: its sharpness at initialisation was below
    ``INITIAL_BELOW`` x 2/lr and its median over the last third of training lies in
    [``EDGE_LOW``, ``EDGE_HIGH``] x 2/lr."""
    return bool(initial_ratio < INITIAL_BELOW and EDGE_LOW <= late_ratio <= EDGE_HIGH)


@CLAIMS.register(
    "sharpness_reaches_two_over_lr",
    paper=PAPER,
    caption="Under full-batch GD sharpness rises from below half of 2 / lr to 2 / lr and "
    "hovers there (the edge of stability), in every seed.",
)
class SharpnessReachesTwoOverLr(Claim):
    """Every seed must meet :func:`at_edge_of_stability`."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("edge_of_stability", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or ["gd"]:
            initial = regime_stat(summary, regime, "initial", "ratio", self.name)
            late = regime_stat(summary, regime, "late", "ratio", self.name)
            bound = regime_stat(summary, regime, "edge", "threshold", self.name)
            at_edge = [
                at_edge_of_stability(a, b)
                for a, b in zip(seed_values(initial), seed_values(late), strict=True)
            ]
            rows.append(self.row(
                claim=f"under {regime}, sharpness rises to 2/lr and hovers there "
                f"({spec['model']} on {spec['dataset']})",
                experiment=experiment, regime=regime,
                measured=f"sharpness / (2/lr) at initialisation {fmt_stat(initial)}; median "
                f"over the last third {fmt_stat(late)}; 2/lr {bound['mean']:.3g}; "
                f"{sum(at_edge)} of {len(at_edge)} seeds at the edge",
                criterion=f"every seed: initial < {INITIAL_BELOW} x 2/lr and median of the "
                f"last third in [{EDGE_LOW}, {EDGE_HIGH}] x 2/lr",
                n_seeds=int(late["n"]), passed=bool(at_edge) and all(at_edge),
                paper_reports="sharpness rises to 2/lr, then hovers at or just above it "
                "(Cohen et al. 2021, Fig. 1)",
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "sam_ends_flatter",
    paper=PAPER,
    caption="At the same step size, SAM hovers flatter than GD at its edge of stability: "
    "lower median sharpness over the last third of training, 95% CIs apart.",
)
class SamEndsFlatter(Claim):
    """``claim_pairs``: [[sam regime, baseline]] (default [[gd+sam, gd]])."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("edge_of_stability", experiment)
        rows = []
        for treated, baseline in spec.get("claim_pairs") or [["gd+sam", "gd"]]:
            sam = regime_stat(summary, treated, "late", "sharpness", self.name)
            base = regime_stat(summary, baseline, "late", "sharpness", self.name)
            sam_loss = regime_stat(summary, treated, "final", "loss", self.name)
            base_loss = regime_stat(summary, baseline, "final", "loss", self.name)
            rows.append(self.row(
                claim=f"{treated} hovers flatter than {baseline} ({spec['model']} on "
                f"{spec['dataset']})",
                experiment=experiment, regime=f"{treated} vs {baseline}",
                measured=f"median sharpness over the last third {treated} {fmt_stat(sam)}, "
                f"{baseline} {fmt_stat(base)}; final training loss {treated} "
                f"{sam_loss['mean']:.3g}, {baseline} {base_loss['mean']:.3g}",
                criterion="95% t intervals do not overlap, SAM lower",
                n_seeds=int(sam["n"]), passed=intervals_apart(sam, base, higher=False),
                paper_reports="SAM finds flatter minima (Foret et al. 2021)",
            ))  # fmt: skip
        return rows
