"""CITATION.cff: valid CFF 1.2.0 keys, in step with pyproject.toml, and citing every paper
an experiment reproduces (the experiments' ``paper:`` keys and the claims' papers)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from simbias.plan.catalogue import load_catalogue
from simbias.plan.plan import ATLAS_PAPER

REPO = Path(__file__).resolve().parents[1]
# "Shah et al. 2020, The Pitfalls of Simplicity Bias in Neural Networks (sec. 6)"
PAPER = re.compile(
    r"^(?P<first>[^\s,]+).*?\b(?P<year>(?:19|20)\d\d), (?P<title>.*?)(?: \([^()]*\))?$"
)


@pytest.fixture(scope="module")
def citation() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text())


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def reproduced_papers() -> set[str]:
    """Every ``paper:`` of an experiment in any config file, and every claim's paper; the
    atlas's own runs name the atlas (ATLAS_PAPER), which is ours, not a paper to cite."""
    files = [REPO / "config.yaml", *sorted((REPO / "configs").rglob("*.yaml"))]
    papers = {
        spec["paper"]
        for path in files
        for spec in ((yaml.safe_load(path.read_text()) or {}).get("experiments") or {}).values()
        if isinstance(spec, dict) and "paper" in spec and spec["paper"] != ATLAS_PAPER
    }
    papers |= {c["paper"] for c in load_catalogue()["claims"].values() if "paper" in c}
    return papers


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def cites(references: list[dict], paper: str) -> bool:
    """A reference with the paper's year, first author's family name, and a title that
    starts with the one the config gives."""
    match = PAPER.match(paper)
    assert match is not None, f"paper {paper!r} is not 'Authors YEAR, Title'"
    return any(
        ref.get("year") == int(match["year"])
        and ref["authors"][0].get("family-names") == match["first"]
        and _words(ref["title"]).startswith(_words(match["title"]))
        for ref in references
    )


def test_citation_has_the_required_keys(citation):
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert citation.get(key), key
    assert citation["title"] == "simbias"
    assert citation["authors"] == [{"name": "The simbias developers"}]


def test_citation_agrees_with_pyproject_and_license(citation, project):
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"] == "MIT"
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert project["license-files"] == ["LICENSE"]


def test_every_reproduced_paper_is_referenced(citation):
    papers = reproduced_papers()
    assert len(papers) >= 5  # the experiments' papers were found at all
    missing = [p for p in sorted(papers) if not cites(citation["references"], p)]
    assert not missing, f"CITATION.cff references lack: {missing}"


def test_a_paper_not_referenced_is_caught(citation):
    # The matcher's NULL input: an uncited paper, and a cited title under the wrong year.
    assert not cites(citation["references"], "Nobody et al. 2020, A Paper Nobody Wrote")
    assert not cites(
        citation["references"],
        "Shah et al. 2019, The Pitfalls of Simplicity Bias in Neural Networks",
    )


def test_references_are_complete_entries(citation):
    for ref in citation["references"]:
        assert ref["type"] in {"article", "conference-paper"}, ref["title"]
        assert isinstance(ref["year"], int), ref["title"]
        assert ref["authors"] and all(
            a.get("family-names") and a.get("given-names") for a in ref["authors"]
        ), ref["title"]
        # An arXiv identifier and its abstract page name the same paper.
        (arxiv,) = [i["value"] for i in ref["identifiers"] if i["value"].startswith("arXiv:")]
        assert re.fullmatch(r"arXiv:\d{4}\.\d{4,5}", arxiv), arxiv
        assert ref["url"] == f"https://arxiv.org/abs/{arxiv.removeprefix('arXiv:')}"
