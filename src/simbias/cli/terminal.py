"""Snakemake's terminal output, made quiet: one line per finished job, errors in full.

With ``--quiet rules host`` Snakemake still prints five lines per job (scheduling notes,
a timestamp, the job id, the step count) and a dozen lines of setup; a DAG of 600 jobs
scrolls 3,000 lines. This filter keeps one line per finished job (time, step count, rule)
and passes every other line through unchanged (errors, a failed job's log, job stats).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

NOISE = re.compile(
    r"^(Execute \d+ jobs\.\.\.|Select jobs to execute\.\.\.|\[\w{3} \w{3} +\d+ [\d:]+ \d{4}\]"
    r"|Using workflow specific profile .*|Config file .* is extended by additional config.*"
    r"|Assuming unrestricted shared filesystem usage\.|Using shell: .*|Provided cores: .*"
    r"|Rules claiming more threads will be scaled down\.|Conda environments: ignored"
    r"|Building DAG of jobs\.\.\.|Shell command: None|host: .*)$"
)
FINISHED = re.compile(r"^Finished jobid: \d+ \(Rule: (?P<rule>\S+)\)$")
PROGRESS = re.compile(r"^(?P<done>\d+) of (?P<total>\d+) steps \((?P<percent>[\d.]+%)\) done$")


def quiet_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines worth showing of Snakemake's output lines (without their newlines)."""
    rule = None
    for line in lines:
        if NOISE.match(line):
            continue
        if finished := FINISHED.match(line):
            rule = finished["rule"]
            continue
        if progress := PROGRESS.match(line):
            done = f"{progress['done']}/{progress['total']} ({progress['percent']})"
            yield f"{time.strftime('%H:%M:%S')} {done} {rule or ''}".rstrip()
            rule = None
            continue
        yield line


def run_quietly(command: Sequence[str], out: TextIO = sys.stdout) -> int:
    """Run ``command`` with its stdout and stderr through :func:`quiet_lines`."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        for line in quiet_lines(raw.rstrip("\n") for raw in process.stdout):
            print(line, file=out, flush=True)
    return process.returncode
