"""The atlas's plan (issue 19): every analysis runs on every run that has what it needs, and
on no other; the needs are one vocabulary; the atlas job reads every analysis result."""

from __future__ import annotations

import copy

import pytest
from conftest import REPO

from simbias.plan import layout, load_config
from simbias.plan.catalogue import load_catalogue
from simbias.plan.config import ConfigError
from simbias.plan.needs import FACTS, applies, run_facts, unknown_facts
from simbias.plan.plan import Plan


@pytest.fixture(scope="module", params=[(), ("configs/tiny.yaml",)], ids=["default", "tiny"])
def config(request):
    return load_config(*(REPO / path for path in request.param))


@pytest.fixture(scope="module")
def plan(config):
    return Plan.build(config)


def test_every_need_and_provided_fact_is_in_the_vocabulary():
    assert unknown_facts(load_catalogue()) == []
    spec_facts = {"model", "weights", "dynamics", "fit_spectrum"}
    assert spec_facts <= set(FACTS)


def test_an_analysis_runs_on_every_run_that_has_its_needs_and_on_no_other(plan, config):
    excluded = set(config["atlas"]["exclude"])
    named = {
        (analysis, use.run.group)
        for use in plan.uses()
        for analysis in plan.experiments[use.experiment].get("analyses", [])
    }
    for analysis in load_catalogue()["analyses"]:
        for group, batch in plan.groups.items():
            planned = (analysis, group) in plan.analyses
            expected = applies(analysis, batch["runs"][0]) and (
                analysis not in excluded or (analysis, group) in named
            )
            assert planned == expected, (analysis, group, sorted(run_facts(batch["runs"][0])))


def test_each_analysis_job_reads_every_seed_of_its_group(plan):
    for (_, group), job in plan.analyses.items():
        seeds = [str(run["seed"]) for run in plan.groups[group]["runs"]]
        assert list(job["runs"]) == seeds
        assert job["dataset"] == plan.groups[group]["runs"][0]["dataset"]


def test_paper_specific_analyses_stay_on_their_papers_runs(plan):
    where = {}
    for analysis, group in plan.analyses:
        where.setdefault(analysis, set()).add(group.split("/")[0])
    assert where["icl_regression"] == {"fourier_mixture", "fourier_single"}
    assert where["image_fit"] == {"image_china"}
    assert {d.split("_")[0] for d in where["spectral_bias"]} == {"sines"}
    assert where["shape_bias"] <= {d for d in where["shape_bias"] if d.startswith("cues")}
    # Broadened: S-randomised metrics on every dataset with S-randomised splits, weight
    # spectra on every single network.
    assert {"lms5", "dominoes", "patches"} <= where["sb_metrics"]
    assert {"lms5", "cues_x4", "opposing"} <= where["weight_spectra"]


def test_the_atlas_manifest_names_every_analysis_result_once_per_seed(plan):
    manifest = plan.job_specs()["atlas"]["manifest"]
    keys = [(e["analysis"], e["group"], e["seed"]) for e in manifest]
    assert len(keys) == len(set(keys))
    expected = {
        (analysis, group, int(seed))
        for (analysis, group), job in plan.analyses.items()
        for seed in job["runs"]
    }
    assert set(keys) == expected
    outputs = set(plan.atlas_inputs())
    for entry in manifest:
        assert entry["path"] == layout.ANALYSIS.format(
            analysis=entry["analysis"], group=entry["group"]
        )
        assert (
            layout.ANALYSIS_SET.format(analysis=entry["analysis"], dataset=entry["dataset"])
            in outputs
        )
        assert entry["papers"]
    assert layout.ATLAS_CSV in plan.final_targets()


def test_an_atlas_analysis_without_required_settings_is_refused(config):
    broken = copy.deepcopy(config)
    broken["atlas"]["analysis_settings"].pop("robustness", None)
    with pytest.raises(ConfigError, match="atlas/analysis_settings/robustness"):
        Plan.build(broken)


def test_an_experiment_naming_an_analysis_its_runs_cannot_have_is_refused(config):
    broken = copy.deepcopy(config)
    broken["experiments"]["icl_fourier_mixture"]["analyses"] = ["shape_bias"]
    with pytest.raises(ConfigError, match="shape_bias needs"):
        Plan.build(broken)


def test_switching_the_atlas_off_keeps_only_the_experiments_analyses(config):
    off = copy.deepcopy(config)
    off["atlas"]["enabled"] = False
    plan = Plan.build(off)
    named = {
        (analysis, use.run.group)
        for use in plan.uses()
        for analysis in plan.experiments[use.experiment].get("analyses", [])
    }
    assert set(plan.analyses) == named
    assert "atlas" not in plan.job_specs()
    assert layout.ATLAS_CSV not in plan.final_targets()
