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
from simbias.config import declared, run_specs

try:
    check_consistency(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None

RUN_SPECS = run_specs(config)
SAFE = r"(?!.*\.\.)[A-Za-z0-9_+-][A-Za-z0-9_.+-]*"


wildcard_constraints:
    dataset=SAFE,
    model=SAFE,
    regime=SAFE,
    seed=r"\d+",
    figure="|".join(declared(config, "figures")) or "no-figures",


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


def run_spec_arg(wildcards):
    return json_arg(RUN_SPECS[run_path(wildcards)])


def dataset_files(wildcards):
    return {
        split: f"results/data/{wildcards.dataset}/{split}.npz"
        for split in ("train", "test", "s_rand", "sc_rand")
    } | {"card": f"results/data/{wildcards.dataset}/card.json"}


def manifest(field, item, path_pattern):
    """Runs of the experiments whose ``field`` names ``item``, each with its file path."""
    entries = []
    for experiment in experiments_with(config, field, item):
        for run in experiment_runs(config, experiment):
            entries.append(
                {
                    "experiment": experiment,
                    "dataset": run.dataset,
                    "model": run.model,
                    "regime": run.regime,
                    "seed": run.seed,
                    "path": path_pattern.format(run=run.path),
                }
            )
    return entries


SB_METRICS = "results/analysis/sb_metrics/{run}.json"
HISTORY = "results/runs/{run}/history.csv"
FIGURE_SOURCES = {
    "sb_accuracy": SB_METRICS,
    "training_curves": HISTORY,
}


def figure_manifest(wildcards):
    return manifest("figures", wildcards.figure, FIGURE_SOURCES[wildcards.figure])


def final_targets():
    targets = []
    if experiments_with(config, "analyses", "sb_metrics"):
        targets.append("results/tables/sb_metrics.md")
    for figure in declared(config, "figures"):
        targets += [f"results/figures/{figure}.png", f"results/figures/{figure}.pdf"]
    if declared(config, "claims"):
        targets.append("results/tables/claims.md")
    return targets
