"""The claims table as HTML, for Snakemake's report (which shows HTML inline, a CSV only as a
download): the count of verdicts on top, then one table per paper, each verdict marked by
colour and by its word. :func:`claims_fragment` is embedded in the report's landing page,
:func:`claims_html` is the same as a page of its own."""

from __future__ import annotations

import html

import pandas as pd

from simbias.plan.papers import short_citation
from simbias.report.claims._base import VERDICTS

#: Verdict -> CSS class; the word stays in the cell, so the mark survives without colour.
VERDICT_CLASSES = {"PASS": "pass", "FAIL": "fail", "CANNOT TELL": "cannot-tell"}
#: What a reader sees of each row, in order, with its header.
SHOWN = {
    "claim": "claim",
    "experiment": "experiment",
    "regime": "regime",
    "measured": "measured",
    "paper_reports": "paper reports",
    "criterion": "criterion",
    "n_seeds": "seeds",
    "control": "control",
    "control_measured": "control measured",
    "control_verdict": "control verdict",
    "verdict": "verdict",
}
#: Scoped to the fragment's div, so that embedding it restyles nothing else of the page. A
#: control's verdict stays grey: its FAIL is what a claim needs, not a bad sign. The last
#: rule widens only the box of Snakemake's landing page that holds the table (32rem else).
STYLE = """
.simbias-claims { font-family: sans-serif; font-size: 13px; color: #111; }
.simbias-claims table { border-collapse: collapse; margin-bottom: 2em; background: #fff; }
.simbias-claims th, .simbias-claims td {
  border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; text-align: left; }
.simbias-claims th { background: #eee; }
.simbias-claims td.verdict, .simbias-claims td.control-verdict {
  font-weight: bold; white-space: nowrap; }
.simbias-claims .pass { background: #c8f0c8; color: #064d06; }
.simbias-claims .fail { background: #f6c6c6; color: #7a0000; }
.simbias-claims .cannot-tell { background: #fbe7a6; color: #5c4500; }
.simbias-claims td.control-verdict { background: #f4f4f4; color: #333; }
.max-w-lg:has(.simbias-claims) { max-width: none; }
"""


def verdict_counts(verdicts: pd.Series) -> str:
    """'18 of 41 claims PASS (20 FAIL, 3 CANNOT TELL)'."""
    counts = verdicts.value_counts()
    rest = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS[1:])
    return f"{int(counts.get('PASS', 0))} of {len(verdicts)} claims PASS ({rest})"


def _cell(column: str, value: object) -> str:
    text = html.escape(str(value))
    if column in ("verdict", "control_verdict"):
        css = VERDICT_CLASSES.get(str(value), "")
        return f'<td class="{column.replace("_", "-")} {css}">{text}</td>'
    return f"<td>{text}</td>"


def claims_fragment(claims: pd.DataFrame) -> str:
    """Counts overall and per paper, how to read them, a table per paper: HTML without a
    page around it (its style included), to embed in another page."""
    missing = [c for c in SHOWN if c not in claims.columns]
    if missing:
        raise ValueError(f"claims table lacks the columns {missing}")
    papers = claims["paper"].map(short_citation)
    parts = [
        f'<div class="simbias-claims"><style>{STYLE}</style>',
        f'<p class="counts"><strong>{html.escape(verdict_counts(claims["verdict"]))}</strong></p>',
        "<p>Each claim is judged beside its control, the run in which the effect cannot "
        "appear, by the same criterion: a claim PASSes only if its control FAILs (CANNOT "
        "TELL when both pass). Numbers are means over seeds with 95% t intervals and the "
        "seed values; criteria are fixed in simbias.report.claims, not tuned to results.</p>",
        "<ul>",
    ]
    for paper in papers.unique():
        rows = claims[papers == paper]
        parts.append(
            f"<li>{html.escape(paper)}: {html.escape(verdict_counts(rows['verdict']))}</li>"
        )
    parts.append("</ul>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in SHOWN.values())
    for paper in papers.unique():
        rows = claims[papers == paper]
        parts.append(f"<h3>{html.escape(rows['paper'].iloc[0])}</h3>")
        parts.append(f'<table class="claims"><thead><tr>{header}</tr></thead><tbody>')
        for _, row in rows.iterrows():
            css = VERDICT_CLASSES.get(row["verdict"], "")
            cells = "".join(_cell(c, row[c]) for c in SHOWN)
            parts.append(f'<tr class="row-{css}">{cells}</tr>')
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def claims_html(claims: pd.DataFrame) -> str:
    """The fragment as a page of its own, titled."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Claims checked</title>'
        f"</head><body>\n<h1>Claims checked</h1>\n{claims_fragment(claims)}</body></html>\n"
    )
