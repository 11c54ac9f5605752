"""Run the Snakemake workflow as ``make results`` and ``simbias run`` do: quiet, one run
per directory, a killed run's lock cleared, the report built, and a summary at the end.

Snakemake runs in a child process with this interpreter (``python -m snakemake``), so the
rules' scripts get this environment's python whatever PATH holds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from simbias.cli.locks import run_lock, stale_lock
from simbias.cli.summary import run_summary
from simbias.cli.terminal import run_quietly
from simbias.plan import ConfigError, layout, load_config
from simbias.plan.validate import plan_checked

#: The checkout this package was installed from (editable, as the Makefile installs it).
REPO = Path(__file__).resolve().parents[3]


@dataclass
class WorkflowRun:
    """One invocation: the targets (none: the whole DAG), the config files merged on the
    base, how many cores, whether to show Snakemake's job details, extra arguments."""

    configfiles: Sequence[str] = ("config.yaml",)
    targets: Sequence[str] = ()
    cores: str = "all"
    verbose: bool = False
    report: bool = True
    extra: Sequence[str] = field(default_factory=tuple)
    workdir: Path = field(default_factory=Path.cwd)

    def snakefile(self) -> Path:
        """The working directory's workflow (a checkout), else the installed one's."""
        here = self.workdir / "Snakefile"
        return here if here.exists() else REPO / "Snakefile"

    def job_papers(self) -> dict[str, list[str]] | None:
        """Which papers each job serves (for the summary's costs), None if the config fails."""
        try:
            return plan_checked(load_config(*self.configfiles[1:])).job_papers()
        except (ConfigError, OSError):
            return None

    def snakemake(self, *arguments: str) -> list[str]:
        return [
            sys.executable, "-m", "snakemake", "-s", str(self.snakefile()),
            "--directory", str(self.workdir), "--configfile", *self.configfiles, *arguments,
        ]  # fmt: skip

    def command(self) -> list[str]:
        # Job details and shell commands only when asked: a DAG of hundreds of jobs would
        # print megabytes of them; the progress lines and errors remain.
        shown = ["--printshellcmds"] if self.verbose else ["--quiet", "rules", "host"]
        # Targets right after --cores (one value): after --quiet or --configfile, which take
        # several, Snakemake would read them as more of those.
        return self.snakemake("--cores", self.cores, *self.targets, *shown, *self.extra)


def run_workflow(run: WorkflowRun) -> int:
    """Run it; returns the exit status (the summary is printed either way)."""
    started = time.time()
    with run_lock(run.workdir):
        if stale_lock(run.workdir):
            print(
                "simbias: the lock of a run that ended without cleaning up (killed?) was left"
                " in .snakemake/locks; no run holds it: unlocking and resuming",
                flush=True,
            )
            unlock = subprocess.run(run.snakemake("--unlock", "--quiet", "all"), check=False)
            if unlock.returncode != 0:
                return unlock.returncode
        if run.verbose:
            status = subprocess.run(run.command(), check=False).returncode
        else:
            status = run_quietly(run.command())
        if status == 0 and run.report and not run.targets:
            status = build_report(run)
    summary = run_summary(
        run.workdir,
        started,
        status,
        report=run.report and not run.targets,
        job_papers=run.job_papers(),
    )
    print(summary)
    return status


def build_report(run: WorkflowRun) -> int:
    """Snakemake's HTML report of the finished DAG. With extra Snakemake arguments the run
    may have stopped short of it (``--until``): then a missing report is said, not failed.
    A failure shows Snakemake's own message (the last lines it printed)."""
    report = run.snakemake("--report", layout.REPORT, "--quiet", "all")
    done = subprocess.run(report, check=False, capture_output=True, text=True)
    if done.returncode != 0 and run.extra:
        print(f"simbias: no report: the DAG is not complete ({' '.join(run.extra)})")
        return 0
    if done.returncode != 0:
        said = (done.stdout + done.stderr).strip().splitlines()[-8:]
        print("simbias: the report failed:", *said, sep="\n  ")
    return done.returncode
