"""Summaries over seeds and the claims table: numbers and verdicts follow the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simbias.analysis.aggregate import bootstrap_ci, summarise
from simbias.plan.papers import short_citation
from simbias.report.claims import (
    CLAIM_COLUMNS,
    CLAIMS,
    ClaimOutputs,
    Evidence,
    check_claims,
    claims_metrics,
    write_claims,
)
from simbias.report.tables import GROUP_KEYS, load_run_metrics, summarise_metrics


def _claim(name):
    return CLAIMS.get(name).obj()


def test_bootstrap_ci_brackets_the_mean_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small, large = rng.normal(0.7, 0.05, 5), rng.normal(0.7, 0.05, 200)
    low_s, high_s = bootstrap_ci(small)
    low_l, high_l = bootstrap_ci(large)
    assert low_s <= small.mean() <= high_s and low_l <= large.mean() <= high_l
    assert high_l - low_l < high_s - low_s
    assert bootstrap_ci(np.array([0.3])) == (0.3, 0.3)


def test_summarise_gives_mean_std_n_a_t_interval_and_the_seed_values_per_group():
    frame = pd.DataFrame(
        {"g": ["a", "a", "a", "b"], "seed": [2, 0, 1, 0], "value": [3.0, 1.0, 2.0, 5.0]}
    )
    summary = summarise(frame, ["g"]).set_index("g")
    assert summary.loc["a", "mean"] == 2.0 and summary.loc["a", "std"] == 1.0
    assert summary.loc["a", "n"] == 3 and summary.loc["b", "std"] == 0.0
    # t(0.975, df=2) = 4.303; sem = 1 / sqrt(3)
    half = 4.302653 / np.sqrt(3)
    assert summary.loc["a", "ci_low"] == pytest.approx(2 - half, rel=1e-5)
    assert summary.loc["a", "ci_high"] == pytest.approx(2 + half, rel=1e-5)
    assert summary.loc["a", "values"] == "1;2;3"  # in seed order
    assert (summary.loc["b", "ci_low"], summary.loc["b", "ci_high"]) == (5.0, 5.0)


def _summary(test, s_rand, sc_rand, n=3):
    rows = []
    for split, value in (("test", test), ("s_rand", s_rand), ("sc_rand", sc_rand)):
        for metric in ("auc", "accuracy"):
            rows.append(
                {
                    "experiment": "e",
                    "dataset": "d",
                    "model": "m",
                    "regime": "sgd",
                    "split": split,
                    "metric": metric,
                    "key": f"{split}_{metric}",
                    "n": n,
                    "mean": value,
                    "std": 0.01,
                    "ci_low": value - 0.01,
                    "ci_high": value + 0.01,
                }
            )
    return pd.DataFrame(rows)


def _with_control(summary: pd.DataFrame, control: pd.DataFrame) -> pd.DataFrame:
    control = control.copy()
    control["experiment"] = "e_control"
    return pd.concat([summary, control], ignore_index=True)


SPEC = {
    "experiments": {
        "e": {
            "dataset": "d",
            "model": "m",
            "claims": ["extreme_simplicity_bias"],
            "paper": "P",
            "reference": {"s_rand_auc": 0.507},
            "controls": {
                "extreme_simplicity_bias": {"what": "simple feature shuffled in training",
                                            "experiment": "e_control"}
            },
        },
        "e_control": {"dataset": "d0", "model": "m", "paper": "P"},
    }
}  # fmt: skip
#: A control in which the network uses the complex features: the criterion FAILs on it.
USES_COMPLEX = (0.98, 0.97, 0.55)


@pytest.mark.parametrize(
    "test, s_rand, sc_rand, verdict",
    [
        (1.00, 0.51, 1.00, "PASS"),  # the paper's LMS-5 pattern
        (1.00, 0.75, 1.00, "FAIL"),  # the network also uses complex features
        (1.00, 0.50, 0.80, "FAIL"),  # complex features matter: S^c-rand drops
        (0.55, 0.50, 0.55, "FAIL"),  # the network never learned the task
    ],
)
def test_extreme_sb_verdict_follows_the_measurements(test, s_rand, sc_rand, verdict):
    summary = _with_control(_summary(test, s_rand, sc_rand), _summary(*USES_COMPLEX))
    claims = check_claims(Evidence(summaries={"sb_metrics": summary}), SPEC["experiments"])
    assert list(claims["verdict"]) == [verdict]
    row = claims.iloc[0]
    assert f"S-rand {s_rand:.3f}" in row["measured"]
    assert "s_rand AUC 0.507" in row["paper_reports"]
    assert "test AUC >= 0.9" in row["criterion"] and row["n_seeds"] == 3
    assert row["control_verdict"] == "FAIL" and "S^c-rand 0.550" in row["control_measured"]
    assert row["control"].startswith("simple feature shuffled in training (e_control")


def test_a_claim_whose_control_passes_too_cannot_tell():
    summary = _with_control(_summary(1.0, 0.5, 1.0), _summary(1.0, 0.5, 1.0))
    claims = check_claims(Evidence(summaries={"sb_metrics": summary}), SPEC["experiments"])
    assert list(claims["verdict"]) == ["CANNOT TELL"]
    assert list(claims["control_verdict"]) == ["PASS"]


def test_a_claim_without_a_control_is_an_error():
    experiments = {"e": {**SPEC["experiments"]["e"], "controls": {}}}
    evidence = Evidence(summaries={"sb_metrics": _summary(1.0, 0.5, 1.0)})
    with pytest.raises(ValueError, match="extreme_simplicity_bias on experiment e has no control"):
        check_claims(evidence, experiments)


def _runs(treated_minus_baseline, n=5):
    rows = []
    for seed in range(n):
        base = 0.80 + 0.01 * seed
        pairs = (("sgd", base), ("useful", base + treated_minus_baseline[seed]),
                 ("useful_random", base + (-1) ** seed * 0.01))  # fmt: skip
        for regime, value in pairs:
            rows.append(
                {
                    "experiment": "u",
                    "dataset": "d",
                    "model": "m",
                    "regime": regime,
                    "seed": seed,
                    "test_accuracy": value,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "differences, verdict",
    [
        ([0.02, 0.03, 0.01, 0.02, 0.025], "PASS"),  # consistent gain
        ([0.05, -0.04, 0.03, -0.03, 0.0], "FAIL"),  # CI of the paired difference includes 0
        ([-0.02, -0.01, -0.03, -0.02, -0.02], "FAIL"),  # a loss
    ],
)
def test_useful_claim_uses_the_paired_difference(differences, verdict):
    spec = {
        "experiments": {
            "u": {
                "dataset": "d",
                "model": "m",
                "claim_pairs": [["useful", "sgd"]],
                "claims": ["useful_improves_test_accuracy"],
                "controls": {
                    "useful_improves_test_accuracy": {
                        "what": "random upsampling",
                        "claim_pairs": [["useful_random", "sgd"]],
                    }
                },
            }
        }
    }
    claims = check_claims(Evidence(runs=_runs(differences)), spec["experiments"])
    assert list(claims["verdict"]) == [verdict]
    assert f"{np.mean(differences):+.4f}" in claims.iloc[0]["measured"]
    assert list(claims["control_verdict"]) == ["FAIL"]
    assert "useful_random" in claims.iloc[0]["control_measured"]


def _alignment_history(gd_start: int | None, sam_start: int | None) -> pd.DataFrame:
    """Slow alignment flat at 0.01, then growing by 0.01 an epoch from ``start`` (None: flat),
    so it reaches twice its epoch-1 value at epoch ``start + 1``."""
    rows = []
    for seed in range(5):
        for regime, start in (("gd", gd_start), ("sam", sam_start)):
            for epoch in range(1, 11):
                grown = 0.01 * (epoch - start) if start is not None and epoch > start else 0
                rows.append(
                    {
                        "experiment": "p",
                        "regime": regime,
                        "seed": seed,
                        "epoch": epoch,
                        "align_slow": 0.01 + grown,
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "gd_start, sam_start, verdict, gd_text, sam_text",
    [
        (5, 2, "PASS", "gd 6.000", "sam 3.000"),
        (2, 5, "FAIL", "gd 3.000", "sam 6.000"),
        (None, 4, "PASS", "gd never", "sam 5.000"),  # GD never learns it in the budget
        (4, None, "FAIL", "gd 5.000", "sam never"),
    ],
)
def test_sam_earlier_claim_compares_first_crossing_epochs(
    gd_start, sam_start, verdict, gd_text, sam_text
):
    control = {"what": "no slow feature", "experiment": "p0"}
    spec = {
        "experiments": {
            "p": {"dataset": "d", "model": "m", "claims": ["sam_learns_slow_feature_earlier"],
                  "controls": {"sam_learns_slow_feature_earlier": control}},
            "p0": {"dataset": "d0", "model": "m"},
        }
    }  # fmt: skip
    never = _alignment_history(None, None).assign(experiment="p0")
    evidence = Evidence(
        histories=pd.concat([_alignment_history(gd_start, sam_start), never], ignore_index=True)
    )
    claims = check_claims(evidence, spec["experiments"])
    row = claims.iloc[0]
    assert row["verdict"] == verdict and row["control_verdict"] == "FAIL"
    assert gd_text in row["measured"] and sam_text in row["measured"]


def _regime_rows(split, metric, values):
    """Summary rows of one metric: regime -> (mean, ci_low, ci_high)."""
    return pd.DataFrame(
        [
            {"experiment": "e", "dataset": "d", "model": "m", "regime": regime,
             "split": split, "metric": metric, "key": f"{split}_{metric}", "n": 3,
             "mean": mean, "std": 0.01,
             "ci_low": low, "ci_high": high}
            for regime, (mean, low, high) in values.items()
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("claim", "analysis", "split", "metric", "robust", "verdict"),
    [
        # Higher is the claim: CIs apart and higher -> PASS; overlapping -> FAIL.
        ("robust_models_shape_biased", "shape_bias", "shape", "bias", (0.9, 0.85, 0.95), "PASS"),
        ("robust_models_shape_biased", "shape_bias", "shape", "bias", (0.35, 0.25, 0.45), "FAIL"),
        # Lower is the claim: a higher filter TV fails, a clearly lower one passes.
        ("robust_filters_smoother", "neuron_simplicity", "filter", "tv", (1.2, 1.1, 1.3), "FAIL"),
        ("robust_filters_smoother", "neuron_simplicity", "filter", "tv", (0.5, 0.4, 0.6), "PASS"),
        ("robust_neurons_fewer_input_types", "neuron_simplicity", "mean_input", "types",
         (3.0, 2.5, 3.5), "PASS"),
    ],
)  # fmt: skip
def test_robust_versus_standard_claims(claim, analysis, split, metric, robust, verdict):
    baseline = {"shape": (0.3, 0.2, 0.4)}.get(split, (1.0, 0.9, 1.1))
    if split == "mean_input":
        baseline = (5.0, 4.5, 5.5)
    summary = _regime_rows(split, metric, {"sgd": baseline, "adv_pgd": robust})
    evidence = Evidence(summaries={analysis: summary})
    spec = {"paper": "p", "dataset": "d", "model": "m", "claim_regimes": ["adv_pgd"]}
    rows = _claim(claim).rows(evidence, "e", spec)
    assert [row.verdict for row in rows] == [verdict]
    assert rows[0].regime == "adv_pgd vs sgd"


def test_every_registered_claim_has_a_paper_and_a_caption():
    entries = CLAIMS.entries()
    assert len(entries) == len(CLAIMS.names()) >= 11
    for entry in entries:
        assert entry.meta.get("paper", "").strip(), entry.name
        assert entry.caption.strip().endswith("."), entry.name


def test_claims_metrics_keeps_every_claim_sharing_an_experiment_and_regime():
    # Two claims on one experiment and the same regime: a higher shape bias (PASS) and a
    # higher, not lower, filter total variation (FAIL).
    evidence = Evidence(
        summaries={
            "shape_bias": _regime_rows("shape", "bias", {"sgd": (0.3, 0.2, 0.4),
                                                         "adv_pgd": (0.9, 0.85, 0.95)}),
            "neuron_simplicity": _regime_rows("filter", "tv", {"sgd": (1.0, 0.9, 1.1),
                                                               "adv_pgd": (1.2, 1.1, 1.3)}),
        }
    )  # fmt: skip
    claims = ["robust_models_shape_biased", "robust_filters_smoother"]
    control = {"what": "no adversary", "claim_regimes": ["sgd"]}
    experiments = {"e": {"dataset": "d", "model": "m", "claims": claims,
                         "claim_regimes": ["adv_pgd"],
                         "controls": dict.fromkeys(claims, control)}}  # fmt: skip
    table = check_claims(evidence, experiments)
    assert list(table["regime"]) == ["adv_pgd vs sgd"] * 2
    metrics = claims_metrics(table)
    assert {k: metrics[k] for k in ("checks", "pass", "fail", "cannot_tell")} == {
        "checks": 2,
        "pass": 1,
        "fail": 1,
        "cannot_tell": 0,
    }
    papers = {short_citation(citation) for citation in table["paper"]}
    assert set(metrics["papers"]) == papers
    assert sum(counts["checks"] for counts in metrics["papers"].values()) == 2
    verdicts = metrics["verdicts"]
    shape = verdicts["robust_models_shape_biased"]["e"]["adv_pgd vs sgd"]
    smoother = verdicts["robust_filters_smoother"]["e"]["adv_pgd vs sgd"]
    assert (shape["pass"], shape["verdict"], smoother["pass"], smoother["verdict"]) == (
        1,
        "PASS",
        0,
        "FAIL",
    )
    # The numbers beside the verdicts: what was measured, for the claim and its control.
    row = table.iloc[0]
    assert shape["measured"] == row["measured"] and "0.9" in shape["measured"]
    assert shape["control_measured"] == row["control_measured"]
    with pytest.raises(ValueError, match="two robust_models_shape_biased rows"):
        claims_metrics(pd.concat([table, table.iloc[:1]], ignore_index=True))


def test_claims_files_show_the_table_columns_only(tmp_path):
    summary = _with_control(_summary(1.0, 0.51, 1.0), _summary(*USES_COMPLEX))
    evidence = Evidence(summaries={"sb_metrics": summary})
    paths = [tmp_path / "claims.csv", tmp_path / "claims.md", tmp_path / "claims.json"]
    write_claims(evidence, SPEC["experiments"], ClaimOutputs(*paths))
    assert list(pd.read_csv(paths[0]).columns) == CLAIM_COLUMNS
    header = next(line for line in paths[1].read_text().splitlines() if line.startswith("|"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == CLAIM_COLUMNS
    verdicts = json.loads(paths[2].read_text())["verdicts"]
    assert verdicts["extreme_simplicity_bias"]["e"]["sgd"]["verdict"] == "PASS"


def test_metric_rows_keep_the_key_their_analysis_wrote(tmp_path):
    metrics = {
        f"seed{seed}": {"s_rand_auc": 0.5 + seed, "layer0_single_block_alpha": 2.0, "loss": 1.0}
        for seed in (0, 1)
    }
    (tmp_path / "m.json").write_text(json.dumps(metrics))
    run = {"experiment": "e", "dataset": "d", "model": "m", "regime": "sgd"}
    manifest = [{**run, "seed": seed, "path": str(tmp_path / "m.json")} for seed in (0, 1)]
    long_form = load_run_metrics(manifest)
    assert list(long_form.columns)[-1] == "key"
    assert list(long_form["key"]) == list(metrics["seed0"]) * 2
    assert list(long_form["split"])[:2] == ["s_rand", "layer0_single_block"]
    summary = summarise_metrics(long_form)
    assert GROUP_KEYS.index("key") == GROUP_KEYS.index("metric") + 1
    assert list(summary.columns)[: len(GROUP_KEYS)] == GROUP_KEYS
    keys = summary.set_index("key")
    assert keys.loc["layer0_single_block_alpha", "metric"] == "alpha"
    assert keys.loc["loss", "split"] == "" and keys.loc["s_rand_auc", "mean"] == 1.0
