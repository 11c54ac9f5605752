"""End to end: the tiny config through the whole DAG into figures, tables and claims."""

from __future__ import annotations

import html
import os
import subprocess

import pandas as pd
import pytest
from conftest import snakemake

from simbias.plan import load_config
from simbias.plan.config import enabled_experiments

# The tiny DAG (about 10 minutes on 2 cores) runs inside the first test that needs it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


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
    declared = {name for name, spec in enabled_experiments(tiny).items() if spec.get("claims")}
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


@pytest.fixture(scope="module")
def report(tiny_run):
    """The tiny DAG's Snakemake report, built once."""
    repo, workdir = tiny_run
    path = workdir / "results" / "report.html"
    result = snakemake(repo, workdir, "--report", str(path))
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def test_the_report_holds_every_figure_and_table(report):
    html = report.read_text(errors="replace")
    for name in (
        "sb_accuracy.png",
        "training_curves.png",
        "regime_accuracy.png",
        "feature_learning.png",
        "useful_clusters.png",
        "claims.html",
        "sb_metrics.csv",
        "robustness.csv",
    ):
        assert name in html, name
    # Figures are grouped by paper and labelled by experiment.
    assert "Shah et al. 2020" in html and "pitfalls_lms5" in html


def _browser() -> str | None:
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("SIMBIAS_REQUIRE_BROWSER") == "1":
        pytest.fail("SIMBIAS_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
    return found


def test_a_browser_shows_the_claims_table_on_the_report_landing_page(report, tiny_run):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium (CI installs it: .ci/run)")
    rendered = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
         "--dump-dom", report.resolve().as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    page = rendered.stdout  # the DOM after the report's scripts ran
    claims = pd.read_csv(tiny_run[1] / "results" / "tables" / "claims.csv")
    assert '<table class="claims">' in page
    assert "claims PASS (" in page  # the count
    for claim in claims["claim"].head(5):
        assert html.escape(claim) in page, claim
    assert page.count('class="verdict ') == len(claims)
