"""What a run cost, per paper: the seconds Snakemake measured for each job
(``layout.BENCHMARK``), a job shared by several papers' experiments split evenly between
them. Wall seconds, not the file's ``cpu_time``: Snakemake samples that every few seconds
and drops what a job spends after its last sample (measured: most jobs read 15.x s
whatever they took); a job of ``threads_per_run`` threads on as many cores costs its wall
time on each."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from simbias.plan import layout

BENCHMARKS = Path(layout.BENCHMARK.split("{job}")[0])


def paper_costs(
    workdir: Path, job_papers: dict[str, list[str]], since: float = 0.0
) -> dict[str, tuple[float, float, int]]:
    """{paper: (job seconds, CPU seconds as sampled, jobs)} of the jobs measured since ``since``
    (seconds since the epoch), costliest first; jobs no paper uses go under "other"."""
    costs: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    root = workdir / BENCHMARKS
    for path in sorted(root.rglob("*.tsv")) if root.is_dir() else []:
        if path.stat().st_mtime < since:
            continue
        row = pd.read_csv(path, sep="\t").iloc[-1]
        papers = job_papers.get(path.relative_to(root).with_suffix("").as_posix(), ["other"])
        for paper in papers:
            cost = costs[paper]
            cost[0] += float(row["s"]) / len(papers)
            cost[1] += float(row["cpu_time"]) / len(papers)
            cost[2] += 1
    ranked = sorted(costs.items(), key=lambda item: -item[1][0])
    return {paper: (wall, cpu, int(jobs)) for paper, (wall, cpu, jobs) in ranked}


def costs_lines(costs: dict[str, tuple[float, float, int]]) -> list[str]:
    if not costs:
        return []
    total = sum(wall for wall, _, _ in costs.values())
    width = max(len(paper) for paper in costs)
    lines = [f"job time:     {total / 60:.1f} min of jobs in this run (results/benchmarks), per"
             " paper (a shared job split evenly):"]  # fmt: skip
    for paper, (wall, _, jobs) in costs.items():
        lines.append(f"  {paper:<{width}}  {wall / 60:5.1f} min  ({jobs} jobs)")
    return lines
