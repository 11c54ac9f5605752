"""End to end: the tiny config through the whole DAG into figures, tables and claims."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import snakemake

from simbias.plan import load_config

pytestmark = pytest.mark.slow


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
