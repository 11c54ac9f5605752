"""End to end: the tiny config through the whole DAG into figures, tables and claims."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

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
        timeout=900,
        env=env,
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    repo = Path(__file__).resolve().parents[1]
    workdir = tmp_path_factory.mktemp("tiny")
    result = snakemake(repo, workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return repo, workdir


def test_tiny_dag_ends_in_figures_tables_and_claims(tiny_run):
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
    assert set(claims["experiment"]) == {
        "pitfalls_lms5",
        "pitfalls_ms57",
        "pitfalls_dominoes",
        "regimes_lms5",
        "regimes_dominoes",
        "regimes_digits",
        "sam_patches",
    }
    assert set(claims["verdict"]) <= {"PASS", "FAIL"}
    robust = pd.read_csv(results / "tables" / "robustness.csv")
    assert set(robust["split"]) == {"clean", "robust"}
    # Adversarial examples never raise accuracy.
    pivot = robust.pivot_table(index="regime", columns="split", values="mean")
    assert (pivot["robust"] <= pivot["clean"] + 1e-9).all()
    # Seeds trained at once in a vmapped batch land in ordinary run directories.
    final = results / "runs" / "lms5" / "mlp" / "sgd" / "seed1" / "final.json"
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
