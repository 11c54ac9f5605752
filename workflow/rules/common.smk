# Input functions and helpers: the only place where the config is turned into paths.
import json
import os
import shlex

from simbias.config import (
    ConfigError,
    check_consistency,
    experiment_runs,
    experiments_with,
)
from simbias.config import declared, run_specs, seed_batches

try:
    check_consistency(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None

RUN_SPECS = run_specs(config)
SEED_BATCHES = seed_batches(config)
SAFE = r"(?!.*\.\.)[A-Za-z0-9_+-][A-Za-z0-9_.+-]*"


wildcard_constraints:
    dataset=SAFE,
    model=SAFE,
    regime=SAFE,
    seed=r"\d+",
    figure="|".join(declared(config, "figures")) or "no-figures",
    analysis="|".join(declared(config, "analyses")) or "no-analyses",


def script_path(name):
    """Absolute, so that --directory elsewhere (the tests) still finds the scripts."""
    return shlex.quote(os.path.join(workflow.basedir, "scripts", name))


def json_arg(obj):
    """A JSON value quoted for the shell."""
    return shlex.quote(json.dumps(obj, sort_keys=True))


def run_path(wildcards):
    return (
        f"{wildcards.dataset}/{wildcards.model}/{wildcards.regime}/seed{wildcards.seed}"
    )


def group_path(wildcards):
    """A (dataset, model, regime) group, whose seeds one training job trains."""
    return f"{wildcards.dataset}/{wildcards.model}/{wildcards.regime}"


def run_spec_arg(wildcards):
    return json_arg(RUN_SPECS[run_path(wildcards)])


DATASET = "results/data/{dataset}"


def manifest(field, item, path_pattern):
    """Runs of the experiments whose ``field`` names ``item``, each with its file path."""
    return run_entries(experiments_with(config, field, item), path_pattern)


def run_entries(experiments, path_pattern):
    """One entry per run of ``experiments``: its keys and ``path_pattern`` filled with the
    run's path (``{run}``) or its group's (``{group}``)."""
    entries = []
    for experiment in experiments:
        for run in experiment_runs(config, experiment):
            entries.append(
                {
                    "experiment": experiment,
                    "dataset": run.dataset,
                    "model": run.model,
                    "regime": run.regime,
                    "seed": run.seed,
                    "path": path_pattern.format(
                        run=run.path, group=run.path.rsplit("/", 1)[0]
                    ),
                }
            )
    return entries


# One analysis file per (dataset, model, regime) group, keyed by seed.
ANALYSIS = "results/analysis/{analysis}/{{group}}.json"
HISTORY = "results/runs/{run}/history.csv"
FINAL = "results/runs/{run}/final.json"
FIGURE_SOURCES = {
    "sb_accuracy": ANALYSIS.format(analysis="sb_metrics"),
    "training_curves": HISTORY,
    "feature_learning": HISTORY,
    "regime_accuracy": FINAL,
    "useful_clusters": FINAL,
    "shape_bias": ANALYSIS.format(analysis="shape_bias"),
    "neuron_simplicity": ANALYSIS.format(analysis="neuron_simplicity"),
    "filter_grid": FINAL,
    "dynamics": FINAL,
    "weight_spectra": ANALYSIS.format(analysis="weight_spectra"),
    "aspect_ratio": ANALYSIS.format(analysis="aspect_ratio"),
}


def analysis_manifest(wildcards):
    return manifest(
        "analyses", wildcards.analysis, ANALYSIS.format(analysis=wildcards.analysis)
    )


def group_runs(experiment, group):
    return [
        r
        for r in experiment_runs(config, experiment)
        if r.path.rsplit("/", 1)[0] == group
    ]


def analysis_seeds(wildcards):
    """Seeds of this group that some experiment runs this analysis on."""
    group = group_path(wildcards)
    return sorted(
        {
            run.seed
            for name in experiments_with(config, "analyses", wildcards.analysis)
            for run in group_runs(name, group)
        }
    )


def analysis_inputs(wildcards):
    group = group_path(wildcards)
    seeds = analysis_seeds(wildcards)
    return {
        "data": DATASET.format(dataset=wildcards.dataset),
        "finals": [f"results/runs/{group}/seed{s}/final.json" for s in seeds],
        "models": [f"results/runs/{group}/seed{s}/model.pt" for s in seeds],
    }


def analysis_settings_arg(wildcards):
    """Settings of the experiments that run this analysis on this group (they must agree)."""
    group = group_path(wildcards)
    settings = {
        json.dumps(config["experiments"][name].get("robustness_attack"), sort_keys=True)
        for name in experiments_with(config, "analyses", wildcards.analysis)
        if group_runs(name, group)
    }
    if len(settings) > 1:
        raise WorkflowError(
            f"experiments disagree on the {wildcards.analysis} settings of {group}"
        )
    attack = json.loads(settings.pop()) if settings else None
    return json_arg({"robustness_attack": attack})


def figure_manifest(wildcards):
    return manifest("figures", wildcards.figure, FIGURE_SOURCES[wildcards.figure])


def final_targets():
    targets = [f"results/tables/{name}.md" for name in declared(config, "analyses")]
    for figure in declared(config, "figures"):
        targets += [f"results/figures/{figure}.png", f"results/figures/{figure}.pdf"]
    if declared(config, "claims"):
        targets.append("results/tables/claims.md")
    targets.append("results/plots")
    return targets


def claim_summaries():
    """Summary tables of every analysis an experiment with claims runs."""
    names = {
        analysis
        for spec in config["experiments"].values()
        if spec.get("claims")
        for analysis in spec.get("analyses", [])
    }
    return {name: f"results/tables/{name}.csv" for name in sorted(names)}


def claim_manifest(pattern):
    entries = []
    for name in declared(config, "claims"):
        entries += manifest("claims", name, pattern)
    unique = {(e["experiment"], e["path"]): e for e in entries}
    return sorted(unique.values(), key=lambda e: (e["experiment"], e["path"]))


def all_runs_manifest(pattern):
    """Every run of every experiment, with its file path."""
    return run_entries(list(config["experiments"]), pattern)
