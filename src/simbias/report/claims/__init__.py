"""Published claims, measured: each claim reads the evidence of one experiment and says
PASS or FAIL against a criterion fixed in its paper's module, before any result is seen.

One module per paper (``pitfalls``, ``useful``, ``robust_cnns``, ``opposing_signals``,
``edge_of_stability``, ``farms``, ``icl_bayesian_prism``); each claim registers in
:data:`CLAIMS` with the paper its rows cite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simbias.io import write_json_atomic, write_text_atomic
from simbias.plan.papers import short_citation
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
    "ClaimOutputs",
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
    replaced = ("claim_regimes", "claim_pairs", "claim_predictor")
    overrides = {k: v for k, v in declared.items() if k in replaced}
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
    """For ``dvc metrics``: the counts, overall and per paper, then per checked claim (by
    claim name, experiment and regime, with the row's variant, if any, in parentheses) its
    verdict (``pass`` 1/0 and the word), what was measured, and its control's measurement
    and verdict, so that ``dvc metrics diff`` shows the numbers move beside the verdicts."""
    verdicts: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for _, row in claims.iterrows():
        by_regime = verdicts.setdefault(row["check"], {}).setdefault(row["experiment"], {})
        regime = f"{row['regime']} ({row['variant']})" if row["variant"] else row["regime"]
        if regime in by_regime:  # one verdict would silently hide another
            raise ValueError(f"two {row['check']} rows for {row['experiment']} {regime}")
        by_regime[regime] = {
            "pass": int(row["verdict"] == "PASS"),
            "verdict": row["verdict"],
            "measured": row["measured"],
            "control_measured": row["control_measured"],
            "control_verdict": row["control_verdict"],
        }
    papers = claims["paper"].map(short_citation)
    return {
        **_counts(claims["verdict"]),
        "papers": {
            paper: _counts(claims.loc[papers == paper, "verdict"]) for paper in papers.unique()
        },
        "verdicts": verdicts,
    }


def _counts(verdicts: pd.Series) -> dict[str, int]:
    return {
        "checks": len(verdicts),
        "pass": int((verdicts == "PASS").sum()),
        "fail": int((verdicts == "FAIL").sum()),
        "cannot_tell": int((verdicts == "CANNOT TELL").sum()),
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


@dataclass(frozen=True)
class ClaimOutputs:
    """Where the claims go: the table as CSV and Markdown, and optionally the DVC metrics
    JSON, the table as an HTML page, and the report's landing page (``description``, the
    workflow's own text, on top)."""

    csv: str | Path
    markdown: str | Path
    metrics: str | Path | None = None
    html: str | Path | None = None
    landing: str | Path | None = None
    description: str | Path | None = None


def write_claims(
    evidence: Evidence, experiments: dict[str, dict[str, Any]], outputs: ClaimOutputs
) -> pd.DataFrame:
    """Check the claims and write every output asked for."""
    from simbias.report.claims_html import claims_html  # they import this package
    from simbias.report.landing import landing_rst

    claims = check_claims(evidence, experiments)
    write_text_atomic(outputs.csv, claims[CLAIM_COLUMNS].to_csv(index=False))
    write_text_atomic(outputs.markdown, claims_markdown(claims))
    if outputs.html is not None:
        write_text_atomic(outputs.html, claims_html(claims))
    if outputs.landing is not None:
        if outputs.description is None:
            raise ValueError("the landing page needs the workflow's description")
        description = Path(outputs.description).read_text()
        write_text_atomic(outputs.landing, landing_rst(description, claims))
    if outputs.metrics is not None:
        write_json_atomic(outputs.metrics, claims_metrics(claims))
    return claims
