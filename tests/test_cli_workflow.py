"""`make results` through `simbias results`: a quiet terminal, a summary at the end, one
run per directory, and a killed run's lock cleared on the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from simbias.cli.locks import RunningError, run_lock, stale_lock
from simbias.cli.summary import claim_counts, logged_warnings, run_summary
from simbias.cli.terminal import quiet_lines

SNAKEMAKE_OUTPUT = """\
Using workflow specific profile profiles/default for setting default command line arguments.
Config file config.yaml is extended by additional config specified via the command line.
Building DAG of jobs...
Job stats:
job      count
total        2
Select jobs to execute...
Execute 1 jobs...
[Wed Dec  2 22:07:54 2026]
Finished jobid: 3 (Rule: generate_dataset)
1 of 2 steps (50%) done
Error in rule train:
    message: None
Shell command: None
2 of 2 steps (100%) done"""


def test_the_terminal_keeps_one_line_per_job_and_every_error_line():
    lines = list(quiet_lines(SNAKEMAKE_OUTPUT.splitlines()))
    assert lines[:3] == ["Job stats:", "job      count", "total        2"]
    assert lines[3].endswith(" 1/2 (50%) generate_dataset")
    assert lines[4:6] == ["Error in rule train:", "    message: None"]
    assert lines[6].endswith(" 2/2 (100%)")
    assert not any("Select jobs" in line or "Shell command: None" in line for line in lines)


def _claims(path: Path) -> Path:
    rows = [("Shah 2020", "PASS"), ("Shah 2020", "FAIL"), ("Cohen 2021", "CANNOT TELL")]
    frame = pd.DataFrame(rows, columns=["paper", "verdict"])
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def test_the_summary_counts_claims_per_paper_and_shows_new_warnings_only(tmp_path):
    _claims(tmp_path / "results" / "tables" / "claims.csv")
    logs = tmp_path / "results" / "logs" / "train"
    logs.mkdir(parents=True)
    old = logs / "old.log"
    old.write_text("x.py:3: UserWarning: from an earlier run\n")
    os.utime(old, (0, 0))
    (logs / "new.log").write_text("epoch 1/2\nengine.py:9: RuntimeWarning: overflow\n" * 2)
    counts = claim_counts(tmp_path / "results" / "tables" / "claims.csv")
    assert counts["Shah 2020"] == {"PASS": 1, "FAIL": 1}
    assert [text for _, text in logged_warnings(tmp_path / "results" / "logs", 1.0)] == [
        "RuntimeWarning: overflow"
    ]
    summary = run_summary(tmp_path, since=1.0, status=0)
    assert "claims: 1 of 3 PASS (1 PASS, 1 FAIL, 1 CANNOT TELL)" in summary
    assert "Shah 2020" in summary and "Cohen 2021" in summary
    assert "results/tables/claims.md" in summary and "RuntimeWarning: overflow" in summary
    assert "earlier run" not in summary and "atlas" not in summary
    (tmp_path / "results" / "tables" / "atlas.md").write_text("# Simplicity-bias atlas\n")
    assert "atlas:        results/tables/atlas.md" in run_summary(tmp_path, 1.0, status=0)


def test_a_second_holder_of_the_run_lock_is_refused_and_a_dead_ones_lock_is_stale(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from simbias.cli.locks import run_lock\n"
         "with run_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = pytest.raises(RunningError, match="another run of the workflow is in progress")
        with refused, run_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x")
    with run_lock(tmp_path):  # the dead holder's lock went with it
        assert stale_lock(tmp_path)


def _copy_project(dest: Path) -> Path:
    """The repository's files (tracked and not ignored), without results or the venv."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, files):
        source = REPO / name
        if source.is_file() and not name.startswith("results/"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(source.read_bytes())
    return dest


def _make_results(project: Path, *extra: str, **popen) -> list[str]:
    venv = Path(sys.executable).parents[1]
    return [
        "make", "-C", str(project), "results", f"VENV={venv}", "-o", f"{venv}/.installed",
        "CONFIG=config.yaml configs/tiny.yaml", "CORES=2", *extra,
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_make_results_after_a_sigkill_unlocks_and_resumes_while_a_live_run_is_refused(
    tmp_path,
):
    project = _copy_project(tmp_path / "project")
    data_only = "SNAKEMAKE_ARGS=--until generate_dataset"
    first = subprocess.Popen(
        _make_results(project, data_only),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    locks = project / ".snakemake" / "locks"
    deadline = time.monotonic() + 300
    while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
        assert first.poll() is None, first.stdout.read().decode()[-3000:]
        time.sleep(0.2)
    second = subprocess.run(_make_results(project, data_only), capture_output=True, text=True)
    assert second.returncode != 0
    assert "another run of the workflow is in progress" in second.stdout + second.stderr
    assert first.poll() is None, "the refused run must leave the live one alone"

    os.killpg(first.pid, signal.SIGKILL)  # the whole run: make, simbias, snakemake, jobs
    first.wait(timeout=60)
    assert any(locks.iterdir()), "a SIGKILL leaves Snakemake's lock behind"

    resumed = subprocess.run(_make_results(project, data_only), capture_output=True, text=True)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    assert "unlocking and resuming" in output and "LockException" not in output
    assert "simbias: done" in output
    assert (project / "results" / "data" / "lms5" / "card.json").exists()


def test_one_experiment_runs_its_runs_and_analyses_only():
    from simbias.plan import ConfigError, load_config
    from simbias.plan.validate import plan_checked

    plan = plan_checked(load_config())
    targets = plan.experiment_targets("pitfalls_lms5")
    groups = [t for t in targets if t.startswith("results/runs/")]
    assert groups == sorted({f"results/runs/{run.group}" for run in plan.runs["pitfalls_lms5"]})
    assert {t.split("/")[2] for t in targets if t.startswith("results/analysis/")} == set(
        plan.experiments["pitfalls_lms5"]["analyses"]
    )
    with pytest.raises(ConfigError, match="no enabled experiment 'nosuch'; known: .*pitfalls"):
        plan.experiment_targets("nosuch")


def test_simbias_run_hands_snakemake_the_experiments_targets():
    """`simbias run EXPERIMENT` as typed (a dry run): Snakemake plans that experiment's
    jobs, its targets read as targets and not as values of another option."""
    command = Path(sys.executable).parent / "simbias"
    planned = subprocess.run(
        [command, "run", "edge_of_stability", "--cores", "1", "--", "--dry-run", "--forceall"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = planned.stdout + planned.stderr
    assert planned.returncode == 0, output[-3000:]
    assert "invalid choice" not in output
    stats = output[output.index("Job stats:") : output.index("total")]
    rules = {line.split()[0] for line in stats.splitlines()[3:] if line.strip()}
    # Its datasets, runs and analyses; no other experiment's figure or the claims table.
    assert rules == {"generate_dataset", "train", "analyse"}, stats


def test_the_console_command_lists_the_catalogue_and_names_a_wrong_experiment():
    command = Path(sys.executable).parent / "simbias"
    listed = subprocess.run([command, "list", "experiments"], cwd=REPO, capture_output=True,
                            text=True)  # fmt: skip
    assert listed.returncode == 0 and "pitfalls_lms5" in listed.stdout
    wrong = subprocess.run([command, "run", "nosuch"], cwd=REPO, capture_output=True, text=True)
    assert wrong.returncode == 2 and "no enabled experiment 'nosuch'" in wrong.stderr


def test_the_summary_charges_each_jobs_measured_cpu_to_the_papers_that_use_it(tmp_path):
    from simbias.cli.costs import paper_costs
    from simbias.plan import load_config
    from simbias.plan.validate import plan_checked

    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    measured = {"train/a/m/sgd": (10.0, 6.0), "analysis/x/a": (2.0, 1.0), "data/b": (4.0, 3.0)}
    for job, (wall, cpu) in measured.items():
        path = tmp_path / "results" / "benchmarks" / f"{job}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"{wall}\t0:00:10\t1\t1\t1\t1\t0\t0\t50\t{cpu}\n")
    papers = {"train/a/m/sgd": ["P 2020", "Q 2021"], "analysis/x/a": ["P 2020"]}
    costs = paper_costs(tmp_path, papers)
    assert costs == {"P 2020": (7.0, 4.0, 2), "Q 2021": (5.0, 3.0, 1), "other": (4.0, 3.0, 1)}
    assert list(costs) == ["P 2020", "Q 2021", "other"]  # costliest first
    # The plan names every data, training and analysis job of the DAG and who uses it.
    plan = plan_checked(load_config())
    jobs = plan.job_papers()
    assert set(jobs) == {job for job in plan.job_specs() if job.split("/")[0] in
                         {"data", "train", "analysis"}}  # fmt: skip
    group = plan.runs["pitfalls_lms5"][0].group
    assert jobs[f"train/{group}"] == ["Shah et al. 2020"]
