"""Papers by their short name: the experiments' ``paper`` citations (``Shah et al. 2020,
The Pitfalls of ...``) shortened to authors and year, which the report groups by."""

from __future__ import annotations

import re


def short_citation(citation: str) -> str:
    """Authors and year ("Shah et al. 2020, The Pitfalls ..." -> "Shah et al. 2020"), the
    whole citation when it has no year."""
    match = re.match(r"^(.*?\b(?:19|20)\d\d)\b", citation)
    return match.group(1) if match else citation


def papers_label(citations: list[str]) -> str:
    """One group name for what several experiments cite: their short citations, sorted and
    joined ("Hu et al. 2025 + Shah et al. 2020"); "no paper" when none cites one."""
    names = sorted({short_citation(c) for c in citations if c})
    return " + ".join(names) or "no paper"
