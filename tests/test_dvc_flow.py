"""DVC round trip of the tiny run's results: status, metrics, push and pull."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


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
