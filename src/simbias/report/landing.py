"""The report's landing page: the workflow's description, then the claims: their count per
paper and the whole table, PASS / FAIL marked, so that a reader sees what held before any
figure. Snakemake renders the page from reStructuredText (through Jinja), so the table goes
in as a raw HTML block."""

from __future__ import annotations

import textwrap

import pandas as pd

from simbias.report.claims_html import claims_fragment, verdict_counts


def landing_rst(description: str, claims: pd.DataFrame) -> str:
    """``description`` (reStructuredText) followed by a Claims section with ``claims``."""
    if "{{" in description or "{%" in description:
        # The page passes through Jinja; our own text must not be read as a template.
        raise ValueError("the report description must not contain Jinja markup")
    table = claims_fragment(claims).replace("{{", "{ {").replace("{%", "{ %")
    return "\n".join(
        [
            description.rstrip(),
            "",
            "Claims checked",
            "--------------",
            "",
            f"**{verdict_counts(claims['verdict'])}.** The table also opens on its own under"
            " Claims (`claims.html`_), and is in ``results/tables/claims.md`` and ``.csv``;"
            " the figures are under Figures, grouped by paper.",
            "",
            ".. raw:: html",
            "",
            textwrap.indent(table, "   "),
            "",
        ]
    )
