"""The atlas report: every value traceable to its file, the within-noise mark for a null
and not for an effect, the question's correlation and its interval, missing metrics, and
scripts/atlas.py end to end."""

from __future__ import annotations

import json
import math
import runpy
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from simbias.report.atlas import write_atlas
from simbias.report.atlas.comparison import compare_to_reference, welch_ci
from simbias.report.atlas.correlation import group_bootstrap_spearman
from simbias.report.atlas.families import regime_family
from simbias.report.atlas.heatmap import normalised, panel_matrix
from simbias.report.atlas.questions import answer_question
from simbias.report.atlas.table import COLUMNS, headline_summary, long_form

SEEDS = (0, 1, 2, 3, 4)
AUC = {"analysis": "sb_metrics", "key": "s_rand_auc", "label": "S-rand AUC"}
ALPHA = {"analysis": "weight_spectra", "key": "layer0_alpha", "label": "alpha (layer 0)"}
TEST_AUC = {"analysis": "sb_metrics", "key": "test_auc", "label": "test AUC"}
SHARPNESS = {"analysis": "sharpness", "key": "train_sharpness", "label": "sharpness"}


def write_group(root, analysis, dataset, model, regime, per_seed, papers=("Paper A",)):
    """A group's analysis JSON (``per_seed``: seed -> {key: value}) and its manifest
    entries, one per seed."""
    group = f"{dataset}/{model}/{regime}"
    path = root / analysis / dataset / model / f"{regime}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({f"seed{s}": values for s, values in per_seed.items()}))
    run = {"dataset": dataset, "model": model, "regime": regime, "group": group}
    return [
        {**run, "seed": s, "analysis": analysis, "papers": list(papers), "path": str(path)}
        for s in per_seed
    ]


def atlas_spec(manifest, metrics=(AUC,), questions=(), references=("sgd", "gd")):
    return {
        "manifest": manifest,
        "atlas": {
            "metrics": list(metrics),
            "questions": list(questions),
            "reference_regimes": list(references),
        },
    }


def outputs(root):
    names = ("csv", "markdown", "heatmap_png", "heatmap_pdf", "questions_png", "questions_pdf")
    suffixes = (".csv", ".md", ".png", ".pdf", ".png", ".pdf")
    stems = (
        "atlas",
        "atlas",
        "atlas_heatmap",
        "atlas_heatmap",
        "atlas_questions",
        "atlas_questions",
    )
    named = zip(names, stems, suffixes, strict=True)
    return {name: root / "out" / f"{stem}{suffix}" for name, stem, suffix in named}


def shifted_regimes(root, shift: float, noise: float = 0.005):
    """sgd (the reference), sam equal to it plus small noise, adv shifted by ``shift``."""
    rng = np.random.default_rng(0)
    base = 0.6 + 0.05 * rng.normal(size=len(SEEDS))
    manifest = []
    for regime, offset, scale in (
        ("sgd", 0.0, 0.0),
        ("sam", 0.0, noise),
        ("adv_pgd", shift, noise),
    ):
        values = base + offset + scale * rng.normal(size=len(SEEDS))
        per_seed = {s: {"s_rand_auc": float(v), "test_auc": 1.0}
                    for s, v in zip(SEEDS, values, strict=True)}  # fmt: skip
        manifest += write_group(root, "sb_metrics", "lms5", "mlp", regime, per_seed)
    return manifest


def markdown_row(page: str, regime: str) -> str:
    return next(
        line for line in page.splitlines() if line.startswith("|") and f" {regime} " in line
    )


def test_long_form_has_one_row_per_run_and_key_with_its_source(tmp_path):
    manifest = []
    for dataset, model in (("lms5", "mlp"), ("mnist_cifar", "cnn")):
        per_seed = {s: {"s_rand_auc": 0.5 + 0.1 * s, "test_accuracy": 0.9, "sc_rand_auc": None}
                    for s in (0, 1)}  # fmt: skip
        per_seed[1]["test_accuracy"] = float("inf")
        manifest += write_group(tmp_path, "sb_metrics", dataset, model, "sgd", per_seed,
                                papers=("Shah et al. 2020", "Teney et al. 2022"))  # fmt: skip
        alphas = {s: {"layer0_alpha": 2.0 + s, "layer1_alpha": float("nan")} for s in (0, 1)}
        manifest += write_group(tmp_path, "weight_spectra", dataset, model, "sgd", alphas)
    frame = long_form(manifest)
    assert list(frame.columns) == COLUMNS
    keys_per_analysis = {"sb_metrics": 3, "weight_spectra": 2}
    assert len(frame) == sum(keys_per_analysis[e["analysis"]] for e in manifest)
    write_atlas(atlas_spec(manifest), **outputs(tmp_path))
    written = pd.read_csv(outputs(tmp_path)["csv"])
    assert len(written) == len(frame) and list(written.columns) == COLUMNS
    for row in written.itertuples():
        with open(row.source) as handle:
            stored = json.load(handle)[f"seed{row.seed}"][row.metric]
        if stored is None or not math.isfinite(stored):
            assert math.isnan(row.value)  # kept as an empty cell, not dropped
        else:
            assert row.value == stored
    assert set(written["papers"]) == {"Shah et al. 2020; Teney et al. 2022", "Paper A"}
    page = outputs(tmp_path)["markdown"].read_text()
    assert "4 runs in 2 groups on 2 datasets" in page
    assert f"has {len(frame)} rows" in page and "10 values are not finite" in page


def test_within_noise_marks_a_null_and_not_an_effect(tmp_path):
    manifest = shifted_regimes(tmp_path, shift=0.3)
    frame = long_form(manifest)
    compared = compare_to_reference(frame, [AUC], ["sgd"]).set_index("regime")
    assert set(compared.index) == {"sam", "adv_pgd"}
    assert (compared["method"] == "paired").all() and (compared["reference"] == "sgd").all()
    assert compared.loc["sam", "within_noise"]
    assert not compared.loc["adv_pgd", "within_noise"]
    assert compared.loc["adv_pgd", "ci_low"] > 0.25
    write_atlas(atlas_spec(manifest), **outputs(tmp_path))
    page = outputs(tmp_path)["markdown"].read_text()
    assert "≈" in markdown_row(page, "sam")
    assert "≈" not in markdown_row(page, "adv_pgd")
    assert "(ref)" in markdown_row(page, "sgd") and "≈" not in markdown_row(page, "sgd")
    assert "(5)" in markdown_row(page, "adv_pgd")


def test_unmatched_seeds_are_compared_by_welch(tmp_path):
    manifest = shifted_regimes(tmp_path, shift=0.3)
    manifest = [e for e in manifest if not (e["regime"] == "adv_pgd" and e["seed"] == 4)]
    compared = compare_to_reference(long_form(manifest), [AUC], ["gd", "sgd"])
    adversarial = compared.set_index("regime").loc["adv_pgd"]
    assert adversarial["method"] == "welch" and adversarial["n"] == 4
    assert not adversarial["within_noise"]


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(1)
    treated, baseline = rng.normal(1.0, 1.0, 6), rng.normal(0.0, 2.0, 4)
    difference, low, high = welch_ci(treated, baseline)
    expected = scipy_stats.ttest_ind(treated, baseline, equal_var=False).confidence_interval()
    assert difference == pytest.approx(treated.mean() - baseline.mean())
    assert (low, high) == pytest.approx((expected.low, expected.high))


def test_monotone_question_has_rho_one_and_independent_one_is_within_noise(tmp_path):
    rng = np.random.default_rng(3)
    manifest = []
    for index in range(10):
        regime = f"sgd_{index}"
        x = {s: {"train_sharpness": float(10.0 ** (index + 0.1 * s))} for s in range(3)}
        y = {s: {"s_rand_auc": float(index + 0.1 * s) ** 3, "test_auc": float(rng.normal())}
             for s in range(3)}  # fmt: skip
        manifest += write_group(tmp_path, "sharpness", "lms5", "mlp", regime, x)
        manifest += write_group(tmp_path, "sb_metrics", "lms5", "mlp", regime, y)
    frame = long_form(manifest)
    monotone = {"name": "flat", "title": "Flatness", "x": {**SHARPNESS, "log": True}, "y": AUC}
    answer = answer_question(frame, monotone)
    assert len(answer.points) == 30 and answer.points["group"].nunique() == 10
    assert answer.correlation.rho == pytest.approx(1.0)
    assert answer.correlation.ci_low > 0.99 and not answer.correlation.within_noise
    independent = {**monotone, "name": "noise", "y": {"analysis": "sb_metrics", "key": "test_auc"}}
    noise = answer_question(frame, independent).correlation
    assert noise.ci_low < 0 < noise.ci_high and noise.within_noise
    write_atlas(atlas_spec(manifest, questions=[monotone, independent]), **outputs(tmp_path))
    page = outputs(tmp_path)["markdown"].read_text()
    flat, noisy = page.split("(`flat`)")[1].split("(`noise`)")
    assert "30 runs in 10 groups" in flat and "within noise" not in flat
    assert "within noise (the interval includes 0)" in noisy and "lms5 (30 runs)" in noisy


def test_bootstrap_resamples_groups_not_runs():
    # Four groups of five near-identical seeds: four independent points, not twenty. An
    # interval over runs would exclude 0; the one over groups must not.
    rng = np.random.default_rng(0)
    x = np.repeat([0.0, 1.0, 2.0, 3.0], 5) + 0.01 * rng.normal(size=20)
    y = np.repeat([0.0, 2.0, 1.0, 3.0], 5) + 0.01 * rng.normal(size=20)
    grouped = group_bootstrap_spearman(x, y, np.repeat(np.arange(4), 5))
    assert (grouped.n_runs, grouped.n_groups) == (20, 4)
    assert grouped.within_noise
    by_run = group_bootstrap_spearman(x, y, np.arange(20))
    assert by_run.rho == grouped.rho and not by_run.within_noise
    single = group_bootstrap_spearman(np.arange(5), np.arange(5), np.zeros(5))
    assert single.rho == pytest.approx(1.0)
    assert not single.has_interval and single.within_noise is None


def test_missing_metrics_are_shown_as_missing(tmp_path):
    manifest = shifted_regimes(tmp_path, shift=0.3)
    # Only sgd has weight spectra; the other dataset has no headline metric at all.
    alphas = {s: {"layer0_alpha": 3.0 + 0.1 * s} for s in SEEDS}
    manifest += write_group(tmp_path, "weight_spectra", "lms5", "mlp", "sgd", alphas)
    manifest += write_group(tmp_path, "robustness", "toy", "mlp", "sgd", {0: {"eps_acc": 0.5}})
    question = {"name": "few", "title": "Too few", "x": ALPHA, "y": SHARPNESS}
    spec = atlas_spec(manifest, metrics=[AUC, ALPHA, SHARPNESS], questions=[question])
    write_atlas(spec, **outputs(tmp_path))
    page = outputs(tmp_path)["markdown"].read_text()
    assert "Headline metrics no run measured: sharpness." in page
    assert "Datasets with none of the headline metrics (see atlas.csv): toy." in page
    assert "| alpha (layer 0)" in page and "| sharpness" not in page
    assert markdown_row(page, "sam").rstrip(" |").endswith("–")
    assert "Fewer than 3 runs have both metrics (0 runs)" in page
    for path in outputs(tmp_path).values():
        assert path.stat().st_size > 0


def test_script_writes_every_file(tmp_path, monkeypatch, repo):
    manifest = shifted_regimes(tmp_path, shift=0.3)
    question = {"name": "self", "title": "AUC against itself", "x": AUC, "y": AUC}
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(atlas_spec(manifest, questions=[question])))
    paths = outputs(tmp_path)
    arguments = [f"--{name.replace('_', '-')}={path}" for name, path in paths.items()]
    monkeypatch.setattr(sys, "argv", ["atlas.py", f"--spec={spec_path}", *arguments])
    runpy.run_path(str(repo / "scripts" / "atlas.py"), run_name="__main__")
    for path in paths.values():
        assert path.stat().st_size > 0
    assert paths["heatmap_png"].read_bytes()[:4] == b"\x89PNG"
    assert paths["questions_pdf"].read_bytes()[:4] == b"%PDF"
    assert not list(paths["csv"].parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("regime", "family"),
    [("adv_pgd", "adversarial"), ("adv+sam", "adversarial+SAM"), ("useful_random", "USEFUL"),
     ("useful+sam", "USEFUL+SAM"), ("gd+sam", "SAM"), ("noise_linf_8", "noise"),
     ("sgd_plain", "SGD"), ("adamw_spartan", "AdamW"), ("coordinate_adam", "Adam"),
     ("lion_b64", "Lion"), ("ensemble", "ensemble"), ("sample_gd", "GD"),
     ("gd+sam@dynamics", "SAM"), ("lion@training_compute", "Lion")],
)  # fmt: skip
def test_regime_family(regime, family):
    assert regime_family(regime) == family


def test_heatmap_cells_scale_per_metric_and_carry_the_noise_mark(tmp_path):
    frame = long_form(shifted_regimes(tmp_path, shift=0.3))
    summary = headline_summary(frame, [AUC, TEST_AUC])
    within = compare_to_reference(frame, [AUC, TEST_AUC], ["sgd"])
    within = within.set_index(["group", "analysis", "metric"])["within_noise"]
    means, noise, rows, present = panel_matrix(
        summary, within, [AUC, TEST_AUC, ALPHA], {"mlp": "sgd"}
    )
    assert rows == ["mlp / sgd (ref)", "mlp / adv_pgd", "mlp / sam"] and present == [AUC, TEST_AUC]
    # test_auc is 1.0 everywhere: equal to the reference (within noise), drawn mid-colour.
    assert noise.tolist() == [[False, False], [False, True], [True, True]]
    scaled = normalised(np.c_[means, [np.nan, 1.0, 2.0]])
    assert scaled[:, 1].tolist() == [0.5, 0.5, 0.5]
    assert np.nanmin(scaled[:, 0]) == 0 and np.nanmax(scaled[:, 0]) == 1
    assert np.isnan(scaled[0, 2]) and scaled[1:, 2].tolist() == [0.0, 1.0]


def test_a_question_draws_each_axis_on_the_scale_its_metric_asks_for(tmp_path):
    from simbias.report.atlas.scatter import questions_figure

    manifest = []
    for index in range(4):
        x = {s: {"train_sharpness": float(10.0 ** (index + 0.1 * s))} for s in range(2)}
        y = {s: {"s_rand_auc": 0.5 + 0.1 * index + 0.01 * s} for s in range(2)}
        manifest += write_group(tmp_path, "sharpness", "lms5", "mlp", f"sgd_{index}", x)
        manifest += write_group(tmp_path, "sb_metrics", "lms5", "mlp", f"sgd_{index}", y)
    frame = long_form(manifest)
    log_y = {"name": "q", "title": "Q", "x": SHARPNESS, "y": {**AUC, "log": True}}
    figure = questions_figure([answer_question(frame, log_y)])
    ax = figure.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "log")
