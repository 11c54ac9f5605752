"""The config: schema refuses typos and unsafe names; experiments resolve into runs."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import snakemake_dry_run

from simbias.plan import ConfigError, Plan, deep_merge, load_config, validate


@pytest.fixture
def config(repo):
    return load_config()


def test_default_and_tiny_configs_are_valid(repo, config):
    tiny = load_config(repo / "configs" / "tiny.yaml")
    expected = {
        (e["dataset"], e["model"], regime, seed)
        for e in config["experiments"].values()
        if e.get("enabled", True)  # switched off at this scale: planned nowhere
        for regime in e["regimes"]
        for seed in e["seeds"]
    }
    runs = {use.run for use in Plan.build(config).uses()}
    assert {(r.dataset, r.model, r.regime, r.seed) for r in runs} == expected
    assert tiny["experiments"]["pitfalls_lms5"]["seeds"] == [0, 1]
    # The overlay replaces only what it names.
    assert tiny["datasets"]["lms5"]["params"]["dim"] == 50


@pytest.mark.parametrize(
    "path, value, named",
    [
        (("regimes", "sgd", "train", "epochz"), 3, "epochz"),
        (("datasets", "lms5", "params", "n_trian"), 10, "n_trian"),
        (("models", "mlp", "params", "width"), "wide", "models/mlp/params/width"),
        (("experiments", "pitfalls_lms5", "seeds"), "0", "experiments/pitfalls_lms5/seeds"),
        (("experiments", "pitfalls_lms5", "figures"), ["sb_acuracy"], "sb_acuracy"),
        (("datasets", "lms5", "params", "simple"), 6, "datasets/lms5/params/simple"),
    ],
)
def test_typos_and_wrong_types_are_refused_naming_the_key(config, path, value, named):
    broken = copy.deepcopy(config)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as error:
        validate(broken)
    assert named in str(error.value)


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", "x..y", ".hidden", "sp ace", ""])
def test_names_that_could_escape_results_are_refused(config, name):
    broken = copy.deepcopy(config)
    broken["datasets"][name] = broken["datasets"]["lms5"]
    with pytest.raises(ConfigError, match="datasets"):
        validate(broken)


def test_safe_names_are_accepted(config):
    ok = copy.deepcopy(config)
    ok["regimes"]["useful+sam_v1.2-b"] = ok["regimes"]["sgd"]
    validate(ok)


def test_undeclared_references_are_refused(config):
    broken = copy.deepcopy(config)
    broken["experiments"]["pitfalls_lms5"]["regimes"] = ["rmsprop"]
    with pytest.raises(ConfigError, match="experiments/pitfalls_lms5/regimes: 'rmsprop'"):
        validate(broken)


def test_a_run_shared_by_two_experiments_must_train_the_same_way(config):
    broken = copy.deepcopy(config)
    clone = copy.deepcopy(broken["experiments"]["pitfalls_lms5"])
    clone["train"] = {"epochs": 99}
    broken["experiments"]["lms5_longer"] = clone
    with pytest.raises(ConfigError, match="lms5/mlp/sgd_plain/seed0 is also trained"):
        validate(broken)


def test_experiment_overrides_merge_over_the_regime(config):
    spec = Plan.build(config).specs["dominoes/cnn/sgd_plain/seed1"]
    train = spec["regime"]["train"]
    assert train["epochs"] == config["experiments"]["pitfalls_dominoes"]["train"]["epochs"]
    assert train["loss_goal"] == config["experiments"]["pitfalls_dominoes"]["train"]["loss_goal"]
    assert train["momentum"] == config["regimes"]["sgd_plain"]["train"]["momentum"]
    assert spec["seed"] == 1 and spec["model"]["kind"] == "cnn"


def test_a_run_that_records_dynamics_is_not_the_run_that_does_not(config):
    """Run identity includes what it records: the same network and regime, once with
    dynamics, once without, are two groups and neither is an alias of the other."""
    plan = Plan.build(config)
    assert "digits/cnn_small/gd" in plan.groups
    assert "digits/cnn_small/gd@dynamics" in plan.groups
    recorded = plan.groups["digits/cnn_small/gd@dynamics"]["runs"][0]
    assert (
        "dynamics" in recorded and "dynamics" not in plan.groups["digits/cnn_small/gd"]["runs"][0]
    )
    assert recorded["name"] == "digits/cnn_small/gd@dynamics/seed0"


def test_experiments_live_one_file_per_paper_and_overlays_switch_them_off(repo, config):
    papers = sorted(p.stem for p in (repo / "configs" / "experiments").glob("*.yaml"))
    assert {"pitfalls", "useful"} <= set(papers)
    assert "pitfalls_lms5" in config["experiments"]
    paper = load_config(repo / "configs" / "paper.yaml")
    planned = {use.experiment for use in Plan.build(paper).uses()}
    assert "pitfalls_lms5" in planned and "regimes_lms5" not in planned
    # The overlay changes what it names and keeps the rest of the experiment.
    assert paper["experiments"]["pitfalls_lms5"]["regimes"] == ["slabs_sgd"]
    assert (
        paper["experiments"]["pitfalls_lms5"]["paper"]
        == config["experiments"]["pitfalls_lms5"]["paper"]
    )


def test_experiments_that_disagree_on_an_analysis_setting_are_refused(config):
    broken = copy.deepcopy(config)
    clone = copy.deepcopy(broken["experiments"]["regimes_dominoes"])
    clone["analysis_settings"]["robustness"]["eps"] = 0.1
    clone["claims"], clone["controls"] = [], {}
    broken["experiments"]["regimes_dominoes_again"] = clone
    with pytest.raises(ConfigError, match="analysis_settings/robustness"):
        validate(broken)


def test_deep_merge_does_not_mutate_its_inputs():
    base = {"a": {"b": 1, "c": [1]}}
    merged = deep_merge(base, {"a": {"b": 2}})
    assert merged == {"a": {"b": 2, "c": [1]}} and base == {"a": {"b": 1, "c": [1]}}


def test_snakemake_refuses_a_typo_before_any_job(repo, tmp_path):
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(yaml.safe_dump({"regimes": {"sgd": {"train": {"epochz": 3}}}}))
    result = snakemake_dry_run(repo, tmp_path, overlay)
    assert result.returncode != 0
    assert "'epochz' was unexpected" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_the_conda_env_installs_the_pip_pins_from_their_one_file(repo):
    env = yaml.safe_load((repo / "envs" / "simbias.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-r requirements.txt", "-e ../"]
    assert (repo / "envs" / "requirements.txt").exists()


def test_a_control_must_belong_to_a_claim_and_name_an_experiment_that_runs(config):
    broken = copy.deepcopy(config)
    broken["experiments"]["pitfalls_lms5"]["controls"]["sb_survives_regimes"] = {"what": "x"}
    with pytest.raises(ConfigError, match="controls/sb_survives_regimes: the experiment does"):
        validate(broken)
    broken = copy.deepcopy(config)
    control = broken["experiments"]["pitfalls_lms5"]["controls"]["extreme_simplicity_bias"]
    control["experiment"] = "no_such_experiment"
    with pytest.raises(ConfigError, match="'no_such_experiment' is not an enabled experiment"):
        validate(broken)
