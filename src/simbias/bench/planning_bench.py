"""How long Snakemake takes to plan the paper-scale DAG (``snakemake -n``): the wait a
researcher has before the first job starts. Runs in a scratch directory, so nothing the
repository has computed counts as done and the whole DAG is planned."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def bench_planning(
    configfile: str = "configs/paper.yaml",
    repo: str | Path = ".",
    repeats: int = 3,
    threads: int | None = None,  # planning is single-threaded; accepted for the runner
) -> dict[str, Any]:
    repo = Path(repo).resolve()
    times, jobs = [], None
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as scratch:
            command = [
                sys.executable, "-m", "snakemake", "-n", "--cores", "1",
                "-s", str(repo / "Snakefile"), "--directory", scratch,
                "--configfile", str(repo / configfile),
            ]  # fmt: skip
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"planning {configfile} failed:\n{result.stderr[-2000:]}")
        total = re.search(r"^total\s+(\d+)$", result.stdout, flags=re.M)
        jobs = int(total.group(1)) if total else None
    return {
        "configfile": configfile,
        "jobs": jobs,
        "planning_s": min(times),
        "repeats": repeats,
        "target_s": 10.0,
    }
