"""Published claims, measured: each claim reads the evidence of one experiment and says
PASS or FAIL against a criterion fixed in its paper's module, before any result is seen.

One module per paper (``pitfalls``, ``useful``, ``robust_cnns``, ``opposing_signals``,
``farms``); each claim registers in :data:`CLAIMS` with the paper its rows cite.
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
    """Every claim every experiment (the config's ``experiments``) declares, as one table:
    the CLAIM_COLUMNS, then ``check`` and ``variant`` (see ClaimRow)."""
    rows: list[ClaimRow] = []
    for experiment, spec in experiments.items():
        for name in spec.get("claims", []):
            rows += CLAIMS.get(name).obj().rows(evidence, experiment, spec)
    return pd.DataFrame([row.record() for row in rows], columns=ROW_FIELDS)


def claims_markdown(claims: pd.DataFrame) -> str:
    passed = int((claims["verdict"] == "PASS").sum())
    header = [
        "# Claims checked",
        "",
        f"{passed} of {len(claims)} claim checks PASS. Numbers are means over seeds with "
        "bootstrap 95% CIs; criteria are fixed in simbias.report.claims, not tuned to results.",
        "",
    ]
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
