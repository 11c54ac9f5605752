"""The DAG through SLURM with profiles/slurm: same results as a local run, and a training
job cancelled with scancel is retried.

Needs a running SLURM cluster: `bash tests/slurm/start-slurm.sh` starts a one-node one on
this machine (root, Debian's slurm-wlm), `bash tests/slurm/stop-slurm.sh` stops it;
.ci/run does both around `make test`. Without sbatch on PATH or with the daemons down the
tests skip, unless SIMBIAS_REQUIRE_SLURM=1 (set by .ci/run), where they fail instead.

Scope: the three pitfalls experiments of the tiny config, through the `training_curves`
figure and the sb_metrics analysis of MS-(5,7), the one dataset whose sb_metrics job reads
no other experiment's runs (3 datasets, 3 training jobs of 6 runs, 1 analysis job, 1
figure): every rule kind and both groups of the profile, in three SLURM waves (data
group, training jobs, post group) of ~20-45 s each on 2 cores.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "profiles" / "slurm"
GROUPS = ("lms5/mlp/sgd_plain", "ms57/mlp/sgd_plain", "dominoes/cnn/sgd_plain")
SEEDS = (0, 1)
ANALYSED = "ms57/mlp/sgd_plain"
TARGETS = ["results/figures/training_curves.png", "results/analysis/sb_metrics/ms57"]
# final.json keys that may differ between equal runs: wall-clock time, the checkout's git
# state (other edits may land between the runs), and where a retried job resumed from.
VOLATILE = {"train_seconds", "code", "resumed_from_epoch"}
RUN_TIMEOUT = 540


def _slurm_unavailable() -> str | None:
    """Why the cluster tests cannot run here, or None."""
    if shutil.which("sbatch") is None:
        return "sbatch is not on PATH: no SLURM here (bash tests/slurm/start-slurm.sh)"
    try:
        states = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"sinfo failed ({error}): SLURM daemons not up (tests/slurm/start-slurm.sh)"
    usable = {"idle", "mixed", "allocated", "completing"}
    if states.returncode != 0 or not usable & set(states.stdout.split()):
        reason = (states.stderr or states.stdout).strip().splitlines()[-1:] or ["no nodes"]
        return (
            f"SLURM daemons not up or no usable node ({reason[0]}); "
            "start them with bash tests/slurm/start-slurm.sh"
        )
    return None


@pytest.fixture(scope="module", autouse=True)
def _slurm_up():
    reason = _slurm_unavailable()
    if reason is not None:
        if os.environ.get("SIMBIAS_REQUIRE_SLURM") == "1":
            pytest.fail(f"SIMBIAS_REQUIRE_SLURM=1 but {reason}")
        pytest.skip(reason)


def _command(workdir: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "snakemake", *TARGETS,
        "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(REPO / "config.yaml"), str(REPO / "configs" / "tiny.yaml"),
        *args,
    ]  # fmt: skip


def _env() -> dict[str, str]:
    # Jobs run `python` from PATH, inside SLURM too (sbatch --export=ALL).
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def _check(code: int, out: str, what: str, workdir: Path) -> str:
    if code != 0:
        logs = sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
        tails = "".join(f"\n--- {p}\n{p.read_text(errors='replace')[-2000:]}" for p in logs[-4:])
        pytest.fail(f"{what} failed (exit {code}):\n{out[-6000:]}{tails}")
    return out


def _submissions(out: str) -> list[tuple[str, str]]:
    """(SLURM job id, log directory below .snakemake/slurm_logs) of each sbatch call."""
    found = re.findall(r"submitted with SLURM jobid (\d+) \(log: (\S+)\)", out)
    return [(job, Path(log).parent.as_posix().split("/slurm_logs/", 1)[1]) for job, log in found]


def _snapshot(workdir: Path) -> dict[str, object]:
    """What must be equal between two runs of the same targets, by file."""
    results = workdir / "results"
    snap: dict[str, object] = {}
    for path in sorted((results / "data").rglob("*")):
        if path.is_file():
            snap[str(path.relative_to(results))] = hashlib.sha256(path.read_bytes()).hexdigest()
    for group in GROUPS:
        for seed in SEEDS:
            name = f"runs/{group}/seed{seed}"
            run = results / name
            final = json.loads((run / "final.json").read_text())
            snap[f"{name}/final.json"] = {k: v for k, v in final.items() if k not in VOLATILE}
            with (run / "history.csv").open() as handle:
                history = [
                    {k: v for k, v in row.items() if k != "seconds"}
                    for row in csv.DictReader(handle)
                ]
            snap[f"{name}/history.csv"] = history
            # Training on the CPU is deterministic and model.pt is saved byte-stably.
            snap[f"{name}/model.pt"] = hashlib.sha256((run / "model.pt").read_bytes()).hexdigest()
    analysis = results / "analysis" / "sb_metrics" / f"{ANALYSED}.json"
    snap[str(analysis.relative_to(results))] = json.loads(analysis.read_text())
    figure = results / "figures" / "training_curves.png"
    assert figure.stat().st_size > 1000
    return snap


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("local")
    result = subprocess.run(
        _command(workdir, "--cores", "2"),
        capture_output=True, text=True, timeout=RUN_TIMEOUT, env=_env(),
    )  # fmt: skip
    _check(result.returncode, result.stdout + result.stderr, "local run", workdir)
    return workdir


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slurm")
    result = subprocess.run(
        _command(workdir, "--workflow-profile", str(PROFILE)),
        capture_output=True, text=True, timeout=RUN_TIMEOUT, env=_env(),
    )  # fmt: skip
    return workdir, _check(result.returncode, result.stdout + result.stderr, "SLURM run", workdir)


def _squeue(workdir: Path) -> list[tuple[str, str, str]]:
    """(job id, state, comment) of this run's SLURM jobs (by their working directory)."""
    listing = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%i|%T|%k|%Z"],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    jobs = []
    for line in listing.stdout.splitlines():
        job, state, comment, cwd = (line.split("|", 3) + ["", "", ""])[:4]
        if cwd and Path(cwd).resolve() == workdir.resolve():
            jobs.append((job, state, comment))
    return jobs


@pytest.fixture(scope="module")
def cancelled_run(tmp_path_factory):
    """A SLURM run whose first running training job is cancelled with scancel."""
    workdir = tmp_path_factory.mktemp("slurm-cancel")
    log = (workdir.parent / "slurm-cancel.log").open("w+")
    process = subprocess.Popen(
        _command(workdir, "--workflow-profile", str(PROFILE)),
        stdout=log, stderr=subprocess.STDOUT, text=True, env=_env(),
    )  # fmt: skip
    # A training job's comment is rule_train_wildcards_<dataset>_<model>_<regime>.
    groups = {f"rule_train_wildcards_{group.replace('/', '_')}": group for group in GROUPS}
    cancelled = None
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while cancelled is None and process.poll() is None and time.monotonic() < deadline:
            for job, state, comment in _squeue(workdir):
                # Running, and past Snakemake's start inside the job: the rule's shell
                # command has opened its log, so scancel kills the training process.
                rule_log = workdir / "results" / "logs" / "train" / f"{groups.get(comment)}.log"
                if state == "RUNNING" and comment in groups and rule_log.exists():
                    subprocess.run(["scancel", job], check=True, timeout=20)
                    cancelled = (job, comment)
                    break
            else:
                time.sleep(0.2)
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.terminate()  # Snakemake cancels its SLURM jobs on SIGTERM
            process.wait(timeout=60)
    log.seek(0)
    out = log.read()
    log.close()
    assert cancelled is not None, "no running training job was seen to cancel:\n" + out[-4000:]
    final_state = {job: state for job, state, _ in _squeue(workdir)}.get(cancelled[0])
    return workdir, _check(code, out, "cancelled SLURM run", workdir), cancelled, final_state


def test_slurm_run_completes_with_the_local_results(slurm_run, local_run):
    workdir, out = slurm_run
    # Really through SLURM, with the profile's groups: one job for the three datasets, one
    # per training group, one for everything after training.
    kinds = sorted(kind for _, kind in _submissions(out))
    assert kinds == [
        "group_data_generate_dataset",
        "group_post_analyse_figure",
        *sorted(f"rule_train/{group.replace('/', '_')}" for group in GROUPS),
    ], out[-3000:]
    assert _snapshot(workdir) == _snapshot(local_run)


def test_a_cancelled_training_job_is_retried(cancelled_run, local_run):
    workdir, out, (job, comment), final_state = cancelled_run
    # SLURM recorded the cancellation (squeue keeps finished jobs for MinJobAge seconds).
    assert final_state in (None, "CANCELLED"), final_state
    assert f"SLURM-job '{job}' failed" in out and "CANCELLED" in out, out[-4000:]
    # The profile's `retries` submitted the same training group again, as a new SLURM job.
    kind = "rule_train/" + comment.removeprefix("rule_train_wildcards_")
    jobs = [j for j, k in _submissions(out) if k == kind]
    assert len(jobs) == 2 and jobs[0] == job, (jobs, job, out[-4000:])
    # ... and the DAG ended with the results of an uninterrupted local run.
    assert _snapshot(workdir) == _snapshot(local_run)
