"""DVC as the README tells it: the author runs `make results` and `make push` and commits
dvc.lock; a reader clones and runs `make pull` through a remote served over HTTP, and gets
every artefact back with nothing to recompute. The config's keys are DVC params."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The tiny DAG (about 10 minutes on 2 cores) runs inside the first test that needs it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

VENV = Path(sys.executable).parents[1]
TINY = "config.yaml configs/tiny.yaml"
#: What the report stage and the stages before it keep in DVC.
TRACKED = ["data", "runs", "analysis", "tables", "figures", "plots", "metrics"]
GIT = ["git", "-c", "user.name=simbias test", "-c", "user.email=test@simbias.invalid"]


def _sha256_tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _run(command: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def _ok(command: list[str], cwd: Path, timeout: int = 900) -> str:
    result = _run(command, cwd, timeout)
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout + result.stderr


def _make(target: str, cwd: Path, *variables: str) -> list[str]:
    """``make TARGET`` as the README types it, with this session's venv standing in for
    the one the Makefile would build (``-o``: it counts as made)."""
    return ["make", target, f"VENV={VENV}", "-o", f"{VENV}/.installed", *variables]


@pytest.fixture(scope="module")
def author(tiny_run, tmp_path_factory):
    """The author's checkout (a git repository) after `make results` on the tiny config,
    a local directory as their push target, and `make push`; dvc.lock committed."""
    repo, workdir = tiny_run
    root = tmp_path_factory.mktemp("dvc")
    project = root / "author"
    skip = shutil.ignore_patterns(
        ".venv", ".git", "results", ".snakemake", "*.egg-info", "__pycache__",
        ".pytest_cache", ".ruff_cache", "tmp", "cache", "config.local",
    )  # fmt: skip
    shutil.copytree(repo, project, ignore=skip)
    (project / "params.yaml").write_text(f"snakemake:\n  configfiles: {TINY}\n")
    _ok([*GIT, "init", "-q"], project)
    _ok([*GIT, "add", "-A"], project)
    _ok([*GIT, "commit", "-q", "-m", "simbias"], project)
    # The tiny DAG's results stand in for the author's computing them (copy2 keeps their
    # mtimes, so Snakemake finds them current): `make results` only adds the report.
    shutil.copytree(workdir / "results", project / "results")
    _ok(_make("results", project, f"CONFIG={TINY}", "CORES=2"), project)
    remote = root / "remote"
    _ok(["dvc", "remote", "add", "--local", "-d", "store", str(remote)], project)
    pushed = _ok(_make("push", project), project)
    assert "cache files do not exist" not in pushed, pushed  # it pushed everything
    _ok([*GIT, "commit", "-q", "-m", "artefacts"], project)  # make push staged dvc.lock
    return project, remote


def test_make_push_publishes_everything_make_results_made(author):
    project, remote = author
    assert _run(["git", "status", "--porcelain"], project).stdout.strip() == ""
    status = _ok(["dvc", "status"], project)
    assert "up to date" in status, status
    assert "are in sync" in _ok(["dvc", "status", "--cloud"], project)  # all pushed
    metrics = _ok(["dvc", "metrics", "show", "--json"], project)
    assert "claims.json" in metrics and '"measured"' in metrics and '"verdict"' in metrics


def test_dvc_status_reports_the_train_stage_when_training_code_changes(author):
    project, _ = author
    engine = project / "src" / "simbias" / "train" / "engine.py"
    original = engine.read_text()
    try:
        engine.write_text(original + "\n# a change\n")
        status = _ok(["dvc", "status"], project)
    finally:
        engine.write_text(original)
    stages = {line.strip().rstrip(":") for line in status.splitlines() if line.endswith(":")}
    assert {"train", "analysis", "report"} <= stages and "data" not in stages, status
    assert "up to date" in _ok(["dvc", "status"], project)


def test_the_config_keys_are_dvc_params(author):
    project, _ = author
    config = project / "config.yaml"
    original = config.read_text()
    assert "\nthreads_per_run: 1\n" in original  # the key this test changes
    try:
        config.write_text(original.replace("\nthreads_per_run: 1\n", "\nthreads_per_run: 2\n"))
        diff = _ok(["dvc", "params", "diff"], project)
    finally:
        config.write_text(original)
    assert "config.yaml" in diff and "threads_per_run" in diff, diff
    shown = _ok(["dvc", "exp", "show", "--csv"], project)
    assert "threads_per_run" in shown.splitlines()[0], shown[:2000]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def http_remote(author):
    """The author's remote served over HTTP by a local web server: its URL."""
    _, remote = author
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(remote)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_reader_pulls_through_http_into_a_fresh_clone_and_nothing_reruns(
    author, http_remote, tmp_path
):
    project, _ = author
    # The author publishes: the HTTP address as the default remote, in git.
    _ok(["dvc", "remote", "add", "-d", "public", http_remote], project)
    _ok([*GIT, "commit", "-q", "-am", "publish the artefacts' address"], project)
    reader = tmp_path / "reader"
    _ok(["git", "clone", "-q", str(project), str(reader)], tmp_path)
    assert not (reader / "results").exists()
    pulled = _run(_make("pull", reader, f"CONFIG={TINY}"), reader)
    assert pulled.returncode == 0, pulled.stdout[-3000:] + pulled.stderr[-3000:]
    for name in TRACKED:
        assert _sha256_tree(reader / "results" / name) == _sha256_tree(
            project / "results" / name
        ), name
    plan = _ok(["snakemake", "-n", "--configfile", *TINY.split()], reader)
    assert "Nothing to be done" in plan, plan[-2000:]


def test_a_clone_without_published_artefacts_or_remote_is_told_what_to_do(author, tmp_path):
    project, _ = author
    bare = tmp_path / "bare"
    _ok(["git", "clone", "-q", str(project), str(bare)], tmp_path)
    (bare / "dvc.lock").unlink()
    failed = _run(_make("pull", bare), bare)
    assert failed.returncode != 0 and "no dvc.lock" in failed.stderr, failed.stderr
    # A remote that holds nothing: DVC's error, then ours naming the remote.
    clone = tmp_path / "clone"
    _ok(["git", "clone", "-q", str(project), str(clone)], tmp_path)
    empty = tmp_path / "empty-remote"
    empty.mkdir()
    _ok(["dvc", "remote", "add", "--local", "-d", "nowhere", str(empty)], clone)
    failed = _run(_make("pull", clone), clone)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "ERROR" in output and "Traceback" not in output
    assert "'nowhere'" in failed.stderr and "Artefacts with DVC" in failed.stderr
