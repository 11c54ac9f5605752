"""Xiao et al. 2023, DebSDF: Delving into the Details and Bias of Neural Indoor Scene
Reconstruction (code DavidXu-JJ/DebSDF): a coordinate network holding a signed distance
field loses thin structures. Read in 2-d from the ``sdf_fit`` analysis: the held-out SDF
error near the thin parts of a shape against near its thick part (thin_shape_sdf).
"""

from __future__ import annotations

from typing import Any

from simbias.report.claims._base import CLAIMS, Claim, ClaimRow, Evidence, fmt_stat, stat_of

DEBSDF = (
    "Xiao et al. 2023, DebSDF: Delving into the Details and Bias of Neural Indoor Scene"
    " Reconstruction"
)


def thin_worse(gap: Any) -> bool:
    """Thin-part error above thick-part error: the 95% t interval over seeds of the per-run
    difference thin - thick lies above 0 (paired: both regions of one run's fit)."""
    return bool(int(gap["n"]) >= 2 and gap["ci_low"] > 0)


@CLAIMS.register(
    "thin_parts_lost",
    paper=DEBSDF,
    caption="A coordinate network fits a signed distance field worse near the thin parts of"
    " its shape than near the thick part: held-out mean absolute error thin - thick per run,"
    " 95% t interval over seeds above 0.",
)
class ThinPartsLost(Claim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("sdf_fit", experiment)
        thin, thick = stat_of(summary, "thin", "mae"), stat_of(summary, "thick", "mae")
        gap = stat_of(summary, "gap", "mae")
        return [self.row(
            claim=f"{spec['model']} fits the SDF worse near thin parts than near the thick"
            f" part ({spec['dataset']})",
            experiment=experiment, regime=str(summary["regime"].iloc[0]),
            measured=f"held-out SDF mean absolute error near thin parts {fmt_stat(thin)},"
            f" near the thick part {fmt_stat(thick)}; thin - thick {fmt_stat(gap)}",
            criterion="per-run thin - thick held-out MAE: 95% t interval above 0",
            n_seeds=int(gap["n"]), passed=thin_worse(gap),
            paper_reports="neural SDF reconstructions lose fine details and thin structures"
            " (Xiao et al. 2023, abstract)",
        )]  # fmt: skip
