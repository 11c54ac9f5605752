"""The few lines a run ends with: how many claims held per paper, where the claims table,
the figures and the report are, and the warnings its jobs logged."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

from simbias.cli.costs import costs_lines, paper_costs
from simbias.plan import layout
from simbias.plan.papers import short_citation

VERDICTS = ("PASS", "FAIL", "CANNOT TELL")
#: A Python warning as ``warnings`` prints it: ``file:line: SomeWarning: message``.
WARNING_LINE = re.compile(r"\b\w*Warning: .+")
SHOWN_WARNINGS = 5


def claim_counts(claims_csv: Path) -> dict[str, Counter]:
    """{paper (authors and year): Counter of verdicts} from the claims table, in the
    table's order."""
    counts: dict[str, Counter] = defaultdict(Counter)
    with open(claims_csv, newline="") as handle:
        for row in csv.DictReader(handle):
            counts[short_citation(row["paper"])][row["verdict"]] += 1
    return dict(counts)


def counts_text(counter: Counter) -> str:
    total = sum(counter.values())
    parts = [f"{counter[v]} {v}" for v in VERDICTS if counter[v]]
    return f"{counter['PASS']} of {total} PASS" + (f" ({', '.join(parts)})" if parts else "")


def logged_warnings(logs: Path, since: float) -> list[tuple[Path, str]]:
    """(log, warning) for each distinct warning in a job log written since ``since``."""
    found: dict[str, Path] = {}
    for log in sorted(logs.rglob("*.log")) if logs.is_dir() else []:
        if log.stat().st_mtime < since:
            continue
        for line in log.read_text(errors="replace").splitlines():
            match = WARNING_LINE.search(line)
            if match:
                found.setdefault(match.group(0)[:160], log)
    return [(log, text) for text, log in found.items()]


def run_summary(
    workdir: Path,
    since: float,
    status: int,
    report: bool = True,
    job_papers: dict[str, list[str]] | None = None,
) -> str:
    """The summary of a run that started at ``since`` (seconds since the epoch); with
    ``job_papers`` (``Plan.job_papers``), what its jobs cost per paper."""
    results = workdir / layout.RESULTS
    lines = ["", "simbias: " + ("done" if status == 0 else f"stopped with errors (exit {status})")]
    claims = workdir / layout.CLAIMS_CSV
    if claims.exists():
        counts = claim_counts(claims)
        lines.append(f"claims: {counts_text(sum(counts.values(), Counter()))}")
        width = max(len(paper) for paper in counts) if counts else 0
        for paper, counter in counts.items():
            lines.append(f"  {paper:<{width}}  {counts_text(counter)}")
        lines.append(f"claims table: {layout.CLAIMS_MARKDOWN} (and .csv)")
    if (workdir / layout.ATLAS_MARKDOWN).exists():
        lines.append(
            f"atlas:        {layout.ATLAS_MARKDOWN} (every analysis on every run it applies"
            f" to; each value in {layout.ATLAS_CSV})"
        )
    figures = sorted((results / "figures").glob("*.png"))
    if figures:
        lines.append(
            f"figures:      {layout.RESULTS}/figures/ ({len(figures)} PNG, each with a PDF)"
        )
    if report and (workdir / layout.REPORT).exists():
        lines.append(f"report:       {layout.REPORT} (open it in a browser)")
    if job_papers is not None:
        lines += costs_lines(paper_costs(workdir, job_papers, since))
    warnings = logged_warnings(results / "logs", since)
    if warnings:
        lines.append(f"warnings:     {len(warnings)} distinct, in the job logs:")
        for log, text in warnings[:SHOWN_WARNINGS]:
            lines.append(f"  {log.relative_to(workdir)}: {text}")
        if len(warnings) > SHOWN_WARNINGS:
            lines.append(
                f"  ... and {len(warnings) - SHOWN_WARNINGS} more (grep Warning results/logs)"
            )
    if status != 0:
        lines.append(
            f"logs:         {layout.RESULTS}/logs/ (the failed job's log is printed above)"
        )
    return "\n".join(lines)
