"""The in-context-learning experiments are pieces of the one DAG (issue 17): the plan runs
their analysis on exactly their runs, trains their seeds one after another, and draws and
judges them with the other papers'."""

from __future__ import annotations

import pytest
from conftest import REPO

from simbias.plan import load_config
from simbias.plan.plan import Plan

ICL = ("icl_fourier_mixture", "icl_fourier_single")


@pytest.fixture(scope="module", params=[(), ("configs/tiny.yaml",)], ids=["default", "tiny"])
def plan(request):
    return Plan.build(load_config(*(REPO / path for path in request.param)))


def test_the_icl_analysis_runs_on_exactly_the_icl_runs(plan):
    icl_groups = {run.group for name in ICL for run in plan.runs[name]}
    analysed = {group for analysis, group in plan.analyses if analysis == "icl_regression"}
    assert (
        analysed
        == icl_groups
        == {
            "fourier_mixture/gpt2_icl/icl_adam",
            "fourier_single/gpt2_icl/icl_adam",
        }
    )
    # Besides it, only the atlas's analyses that need nothing a prompt stream lacks.
    assert {analysis for analysis, group in plan.analyses if group in icl_groups} == {
        "icl_regression",
        "weight_spectra",
    }
    for group in icl_groups:
        seeds = {str(run.seed) for name in ICL for run in plan.runs[name] if run.group == group}
        assert set(plan.analyses[("icl_regression", group)]["runs"]) == seeds


def test_icl_groups_train_one_seed_at_a_time_from_their_prompt_stream(plan):
    for name in ICL:
        group = plan.groups[plan.runs[name][0].group]
        assert not group["vmap"] and "prompt stream" in group["why"]
        train = group["runs"][0]["regime"]["train"]
        assert train["loss"] == "regression_mse" and train["steps_per_epoch"] >= 1


def test_the_figure_and_the_claims_read_both_pretraining_distributions(plan):
    assert plan.figure_experiments("icl_simplicity") == list(ICL)
    assert set(ICL) <= set(plan.claim_experiments())
    summaries = plan.job_specs()["claims"]["summaries"]
    assert "icl_regression" in summaries


def test_default_scale_uses_enough_seeds_for_t_intervals():
    config = load_config()
    for name in ICL:
        assert len(config["experiments"][name]["seeds"]) >= 5
