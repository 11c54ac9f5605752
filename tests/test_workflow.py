"""End to end: the tiny config through the whole DAG into figures, tables and claims."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simbias.plan import load_config

pytestmark = pytest.mark.slow


def snakemake(repo: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(repo / "Snakefile"),
            "--directory",
            str(workdir),
            "--configfile",
            str(repo / "config.yaml"),
            str(repo / "configs" / "tiny.yaml"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    repo = Path(__file__).resolve().parents[1]
    workdir = tmp_path_factory.mktemp("tiny")
    result = snakemake(repo, workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return repo, workdir


# The module's DAG is built by the first test that asks for it (about 7 minutes on 2 cores
# alone, 213 jobs): its budget is the DAG's, not one test's.
@pytest.mark.timeout(1200)
def test_tiny_dag_ends_in_figures_tables_and_claims(tiny_run, repo):
    _, workdir = tiny_run
    results = workdir / "results"
    figures = (
        "sb_accuracy",
        "training_curves",
        "regime_accuracy",
        "feature_learning",
        "useful_clusters",
    )
    for figure in figures:
        for ext in ("png", "pdf"):
            assert (results / "figures" / f"{figure}.{ext}").stat().st_size > 1000
    claims = pd.read_csv(results / "tables" / "claims.csv")
    tiny = load_config(repo / "config.yaml", repo / "configs" / "tiny.yaml")
    declared = {name for name, spec in tiny["experiments"].items() if spec.get("claims")}
    assert set(claims["experiment"]) == declared and len(declared) >= 10
    assert set(claims["verdict"]) <= {"PASS", "FAIL", "CANNOT TELL"}
    assert claims["control"].str.len().gt(0).all()  # every row beside its control
    robust = pd.read_csv(results / "tables" / "robustness.csv")
    assert set(robust["split"]) == {"clean", "robust"}
    # Adversarial examples never raise accuracy.
    pivot = robust.pivot_table(index="regime", columns="split", values="mean")
    assert (pivot["robust"] <= pivot["clean"] + 1e-9).all()
    # Seeds trained at once in a vmapped batch land in ordinary run directories.
    final = results / "runs" / "lms5" / "mlp" / "sgd_plain" / "seed1" / "final.json"
    assert '"vmapped_seeds": 2' in final.read_text()
    summary = pd.read_csv(results / "tables" / "sb_metrics.csv")
    assert set(summary["split"]) == {"test", "s_rand", "sc_rand"}
    pitfalls = summary[summary["experiment"].str.startswith("pitfalls")]
    assert (pitfalls["n"] == 2).all()
    assert (results / "tables" / "sb_metrics.md").read_text().startswith("# Simplicity")
    # Every markdown table row has as many cells as its header (no stray '|').
    for name in ("claims.md", "sb_metrics.md"):
        rows = [
            line
            for line in (results / "tables" / name).read_text().splitlines()
            if line.startswith("|")
        ]
        assert rows and len({row.count("|") for row in rows}) == 1, name
    # No checkpoint or temporary file is left behind by a finished run.
    leftovers = [p for p in results.rglob("*") if p.name.endswith((".tmp", "checkpoint.pt"))]
    assert leftovers == []


def test_a_second_run_plans_nothing(tiny_run):
    repo, workdir = tiny_run
    result = snakemake(repo, workdir, "-n", "--cores", "1")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_the_report_holds_every_figure_and_table(tiny_run):
    repo, workdir = tiny_run
    report = workdir / "results" / "report.html"
    result = snakemake(repo, workdir, "--report", str(report))
    assert result.returncode == 0, result.stderr[-3000:]
    html = report.read_text(errors="replace")
    for name in (
        "sb_accuracy.png",
        "training_curves.png",
        "regime_accuracy.png",
        "feature_learning.png",
        "useful_clusters.png",
        "claims.csv",
        "sb_metrics.csv",
        "robustness.csv",
    ):
        assert name in html, name


def _sha256_tree(root: Path) -> dict[str, str]:
    import hashlib

    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def dvc_project(tiny_run, tmp_path_factory):
    """A copy of the project holding the tiny run's results, committed to DVC, with a
    remote in a temporary directory."""
    import shutil

    repo, workdir = tiny_run
    root = tmp_path_factory.mktemp("dvc")
    project = root / "project"
    skip = shutil.ignore_patterns(
        ".venv",
        ".git",
        "results",
        ".snakemake",
        "*.egg-info",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        "tmp",
        "cache",
    )
    shutil.copytree(repo, project, ignore=skip)
    shutil.copytree(workdir / "results", project / "results")
    shutil.copytree(workdir / ".snakemake", project / ".snakemake")
    (project / "params.yaml").write_text(
        "snakemake:\n  configfiles: config.yaml configs/tiny.yaml\n"
    )
    for command in (
        ["git", "init", "-q"],
        ["dvc", "remote", "modify", "--local", "local", "url", str(root / "remote")],
        ["dvc", "commit", "-f", "-q"],
    ):
        result = _run(command, project)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    return project


def test_dvc_status_is_clean_after_commit(dvc_project):
    result = _run(["dvc", "status"], dvc_project)
    assert result.returncode == 0 and "up to date" in result.stdout, result.stdout
    metrics = _run(["dvc", "metrics", "show"], dvc_project)
    assert "claims.json" in metrics.stdout and "pass" in metrics.stdout


def test_dvc_status_reports_the_train_stage_when_training_code_changes(dvc_project):
    engine = dvc_project / "src" / "simbias" / "train" / "engine.py"
    original = engine.read_text()
    try:
        engine.write_text(original + "\n# a change\n")
        status = _run(["dvc", "status"], dvc_project)
    finally:
        engine.write_text(original)
    assert status.returncode == 0, status.stderr
    stages = {line.strip().rstrip(":") for line in status.stdout.splitlines() if line.endswith(":")}
    assert {"train", "analysis", "report"} <= stages and "data" not in stages, status.stdout
    assert "up to date" in _run(["dvc", "status"], dvc_project).stdout


def test_dvc_round_trip_restores_every_file_and_nothing_reruns(dvc_project):
    import shutil

    tracked = ["data", "runs", "analysis", "tables", "figures", "plots", "metrics"]
    before = {name: _sha256_tree(dvc_project / "results" / name) for name in tracked}
    assert _run(["dvc", "push", "-q"], dvc_project).returncode == 0
    shutil.rmtree(dvc_project / "results")
    shutil.rmtree(dvc_project / ".dvc" / "cache")
    shutil.rmtree(dvc_project / ".snakemake")  # a fresh clone has no Snakemake metadata
    venv = Path(sys.executable).parents[1]
    pulled = _run(
        [
            "make",
            "pull",
            f"VENV={venv}",
            "-o",
            f"{venv}/.installed",
            "CONFIG=config.yaml configs/tiny.yaml",
        ],
        dvc_project,
    )
    assert pulled.returncode == 0, pulled.stdout[-2000:] + pulled.stderr[-2000:]
    after = {name: _sha256_tree(dvc_project / "results" / name) for name in tracked}
    assert after == before
    plan = _run(
        ["snakemake", "-n", "--configfile", "config.yaml", "configs/tiny.yaml"], dvc_project
    )
    assert "Nothing to be done" in plan.stdout + plan.stderr, plan.stdout[-2000:]


def test_a_missing_or_empty_remote_gives_a_clear_message(dvc_project, tmp_path):
    missing = _run(["dvc", "pull", "-r", "nosuch"], dvc_project)
    assert missing.returncode != 0
    assert "nosuch" in missing.stderr and "Traceback" not in missing.stderr
    empty = tmp_path / "empty-remote"
    empty.mkdir()
    assert (
        _run(
            ["dvc", "remote", "modify", "--local", "local", "url", str(empty)], dvc_project
        ).returncode
        == 0
    )
    import shutil

    shutil.rmtree(dvc_project / ".dvc" / "cache", ignore_errors=True)
    shutil.rmtree(dvc_project / "results" / "metrics")
    failed = _run(["dvc", "pull"], dvc_project)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "ERROR" in output and "Traceback" not in output
