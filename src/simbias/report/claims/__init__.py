"""Published claims, measured: each claim reads the evidence of one experiment and says
PASS or FAIL against a criterion fixed in its paper's module, before any result is seen.

One module per paper (``pitfalls``, ``useful``, ``robust_cnns``, ``opposing_signals``,
``edge_of_stability``, ``farms``); each claim registers in :data:`CLAIMS` with the paper
its rows cite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simbias.io import write_json_atomic, write_text_atomic
from simbias.report.claims._base import (
    CLAIM_COLUMNS,
    CLAIMS,
    ROW_FIELDS,
    VERDICTS,
    Claim,
    ClaimRow,
    Control,
    Evidence,
)

__all__ = [
    "CLAIMS",
    "CLAIM_COLUMNS",
    "Claim",
    "ClaimRow",
    "Control",
    "Evidence",
    "check_claims",
    "claims_markdown",
    "claims_metrics",
    "load_evidence",
    "write_claims",
]


def check_claims(evidence: Evidence, experiments: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Every claim every experiment (the config's ``experiments``) declares, each row beside
    its control, as one table: the CLAIM_COLUMNS, then ``check`` and ``variant`` (see
    ClaimRow). A claim with neither a declared control nor one built into its input is an
    error: a claim is believable only next to the run where its effect cannot appear."""
    rows: list[ClaimRow] = []
    for experiment, spec in experiments.items():
        for name in spec.get("claims", []):
            claim = CLAIMS.get(name).obj()
            claimed = claim.rows(evidence, experiment, spec)
            declared = spec.get("controls", {}).get(name)
            if declared is not None:
                claimed = _beside_controls(claim, claimed, evidence, experiment, experiments,
                                           declared)  # fmt: skip
            unchecked = [row for row in claimed if not row.control]
            if unchecked:
                raise ValueError(
                    f"claim {name} on experiment {experiment} has no control: declare one "
                    f"under experiments/{experiment}/controls/{name}"
                )
            rows += claimed
    return pd.DataFrame([row.record() for row in rows], columns=ROW_FIELDS)


def _beside_controls(
    claim: Claim,
    claimed: list[ClaimRow],
    evidence: Evidence,
    experiment: str,
    experiments: dict[str, dict[str, Any]],
    declared: dict[str, Any],
) -> list[ClaimRow]:
    """The claim's rows, each judged beside the claim's rows on its control: the control's
    row of the same regime, else the one in the same position when both have as many rows,
    else the control's only row."""
    where = declared.get("experiment", experiment)
    overrides = {k: v for k, v in declared.items() if k in ("claim_regimes", "claim_pairs")}
    control_rows = claim.rows(evidence, where, {**experiments[where], **overrides})
    by_regime = {row.regime: row for row in control_rows}
    paired = []
    for position, row in enumerate(claimed):
        match = by_regime.get(row.regime)
        if match is None and len(control_rows) == len(claimed):
            match = control_rows[position]  # the control's claim_regimes, in the same order
        elif match is None and len(control_rows) == 1:
            match = control_rows[0]
        if match is None:
            raise ValueError(
                f"claim {claim.name} on {experiment}: its control ({where}) has no row for "
                f"{row.regime!r}: give it the same regimes, as many in the same order, or one"
            )
        label = f"{where}, {match.regime}" if match.regime != "n/a" else where
        paired.append(row.with_control(match.as_control(f"{declared['what']} ({label})")))
    return paired


def claims_markdown(claims: pd.DataFrame) -> str:
    counts = claims["verdict"].value_counts()
    tally = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    header = [
        "# Claims checked",
        "",
        f"{len(claims)} claim checks: {tally}. Each claim is judged beside its control, the "
        "run in which the effect cannot appear, by the same criterion: a claim PASSes only if "
        "its control FAILs (CANNOT TELL when both pass). Numbers are means over seeds with "
        "95% t intervals and the seed values; criteria are fixed in simbias.report.claims, "
        "not tuned to results.",
        "",
    ]
    cells = claims[CLAIM_COLUMNS].astype(str)
    bars = [c for c in CLAIM_COLUMNS if cells[c].str.contains("|", regex=False).any()]
    if bars:  # a "|" in a cell would split the markdown row
        raise ValueError(f"claims table cells in {bars} contain '|'; write abs(x) instead")
    return "\n".join(header) + claims[CLAIM_COLUMNS].to_markdown(index=False) + "\n"


def claims_metrics(claims: pd.DataFrame) -> dict[str, Any]:
    """A small numeric summary for ``dvc metrics``: counts, and 1/0 per checked claim by
    claim name, experiment and regime (with the row's variant, if any, in parentheses)."""
    verdicts: dict[str, dict[str, dict[str, int]]] = {}
    for _, row in claims.iterrows():
        by_regime = verdicts.setdefault(row["check"], {}).setdefault(row["experiment"], {})
        regime = f"{row['regime']} ({row['variant']})" if row["variant"] else row["regime"]
        if regime in by_regime:  # one verdict would silently hide another
            raise ValueError(f"two {row['check']} rows for {row['experiment']} {regime}")
        by_regime[regime] = int(row["verdict"] == "PASS")
    return {
        "checks": len(claims),
        "pass": int((claims["verdict"] == "PASS").sum()),
        "cannot_tell": int((claims["verdict"] == "CANNOT TELL").sum()),
        "verdicts": verdicts,
    }


def load_evidence(
    summaries: dict[str, str], finals: list[dict[str, Any]], histories: list[dict[str, Any]]
) -> Evidence:
    """Evidence from summary CSVs (analysis -> path) and run manifests."""
    from simbias.report.tables import load_finals, load_histories

    return Evidence(
        summaries={name: pd.read_csv(path) for name, path in summaries.items()},
        runs=load_finals(finals) if finals else pd.DataFrame(),
        histories=load_histories(histories) if histories else pd.DataFrame(),
    )


def write_claims(
    evidence: Evidence,
    experiments: dict[str, dict[str, Any]],
    csv_path: str | Path,
    md_path: str | Path,
    metrics_path: str | Path | None = None,
) -> pd.DataFrame:
    """claims.csv and claims.md (the CLAIM_COLUMNS) and, if asked, the dvc metrics JSON."""
    claims = check_claims(evidence, experiments)
    write_text_atomic(csv_path, claims[CLAIM_COLUMNS].to_csv(index=False))
    write_text_atomic(md_path, claims_markdown(claims))
    if metrics_path is not None:
        write_json_atomic(metrics_path, claims_metrics(claims))
    return claims
