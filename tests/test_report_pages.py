"""The claims as a reader sees them: an HTML table with verdicts marked, and the report's
landing page that carries it (counts per paper first)."""

from __future__ import annotations

import pandas as pd
import pytest
from docutils.core import publish_parts

from simbias.plan.papers import papers_label, short_citation
from simbias.report.claims import CLAIM_COLUMNS
from simbias.report.claims_html import claims_fragment, claims_html, verdict_counts
from simbias.report.landing import landing_rst


def _claims(verdicts: list[str], papers: list[str]) -> pd.DataFrame:
    rows = []
    for index, (verdict, paper) in enumerate(zip(verdicts, papers, strict=True)):
        row = dict.fromkeys(CLAIM_COLUMNS, "")
        row.update(
            claim=f"claim number {index} <b>", experiment=f"exp{index}", regime="sgd",
            measured=f"{0.5 + index / 10:.2f} [0.4, 0.9]", verdict=verdict, paper=paper,
            control_verdict="FAIL", n_seeds=5,
        )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


PITFALLS = "Shah et al. 2020, The Pitfalls of Simplicity Bias in Neural Networks (sec. 6)"
USEFUL = "Nguyen et al. 2024, Changing the Training Data Distribution"


def test_short_citations_group_papers():
    assert short_citation(PITFALLS) == "Shah et al. 2020"
    assert short_citation("no year here") == "no year here"
    assert papers_label([USEFUL, PITFALLS, PITFALLS]) == "Nguyen et al. 2024 + Shah et al. 2020"
    assert papers_label([]) == "no paper"


def test_counts_and_marks_follow_the_verdicts():
    claims = _claims(["PASS", "FAIL", "CANNOT TELL", "PASS"], [PITFALLS, PITFALLS, USEFUL, USEFUL])
    assert verdict_counts(claims["verdict"]) == "2 of 4 claims PASS (1 FAIL, 1 CANNOT TELL)"
    page = claims_html(claims)
    assert page.count('<td class="verdict pass">PASS</td>') == 2
    assert page.count('<td class="verdict fail">FAIL</td>') == 1
    assert "Shah et al. 2020: 1 of 2 claims PASS" in page
    assert "Nguyen et al. 2024: 1 of 2 claims PASS" in page
    assert "claim number 0 &lt;b&gt;" in page  # cell text is escaped, never markup
    assert page.startswith("<!DOCTYPE html>") and claims_fragment(claims) in page


def test_the_landing_page_renders_the_count_and_the_table():
    claims = _claims(["PASS", "FAIL"], [PITFALLS, USEFUL])
    text = landing_rst("The workflow.\n", claims)
    # Rendered as Snakemake renders it (docutils to HTML; the link target is Snakemake's).
    text += "\n.. _claims.html: javascript:void(0)\n"
    body = publish_parts(text, writer="html")["html_body"]
    assert "The workflow." in body
    assert "1 of 2 claims PASS (1 FAIL, 0 CANNOT TELL)" in body
    assert '<table class="claims">' in body and "claim number 1" in body
    assert "System Message" not in body  # no reStructuredText error on the page


def test_the_landing_page_refuses_template_markup_in_the_description():
    with pytest.raises(ValueError, match="Jinja"):
        landing_rst("{{ snakemake.config }}", _claims(["PASS"], [PITFALLS]))


def test_a_claims_table_without_its_columns_is_refused():
    with pytest.raises(ValueError, match="lacks the columns"):
        claims_html(pd.DataFrame({"verdict": ["PASS"], "paper": [PITFALLS]}))
