"""Runs: what an experiment trains, each run's resolved spec, and the groups of seeds
that one training job trains together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simbias.plan import layout
from simbias.plan.config import ConfigError, deep_merge, enabled_experiments

#: Regime sections that are not pieces (every other section switches a piece on).
NOT_PIECES = ("description", "train")


@dataclass(frozen=True)
class Run:
    """One trained network: its identity is what trains it and what it records."""

    dataset: str
    model: str
    regime: str
    seed: int
    #: What the run records while it trains (probes, dynamics): part of its identity.
    records: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        return layout.group_path(self.dataset, self.model, self.regime, self.records)

    @property
    def path(self) -> str:
        """The run's directory below ``results/runs``."""
        return layout.run_path(self.group, self.seed)


@dataclass(frozen=True)
class RunUse:
    """A run as one experiment uses it: the keys of its rows in tables and figures."""

    experiment: str
    run: Run

    def keys(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "dataset": self.run.dataset,
            "model": self.run.model,
            "regime": self.run.regime,
            "seed": self.run.seed,
        }


def records_of(experiment: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        sorted(
            [*experiment.get("probes", []), *(["dynamics"] if experiment.get("dynamics") else [])]
        )
    )


def experiment_runs(config: dict[str, Any], name: str) -> list[Run]:
    spec = config["experiments"][name]
    records = records_of(spec)
    return [
        Run(spec["dataset"], spec["model"], regime, int(seed), records)
        for regime in spec["regimes"]
        for seed in spec["seeds"]
    ]


def resolve_run(config: dict[str, Any], run: Run, experiment: str) -> dict[str, Any]:
    """The run's whole training spec, as the training job reads it."""
    model = config["models"][run.model]
    spec = config["experiments"][experiment]
    # Precedence: the regime, then the experiment's train settings for all its regimes,
    # then the experiment's overrides for this regime (e.g. GD's epochs, an attack's eps).
    regime = deep_merge(config["regimes"][run.regime], {"train": spec.get("train", {})})
    regime = deep_merge(regime, spec.get("regime_overrides", {}).get(run.regime, {}))
    pieces = {key: value for key, value in regime.items() if key not in NOT_PIECES}
    return {
        "name": run.path,
        "dataset": run.dataset,
        "data": config["datasets"][run.dataset],
        "seed": run.seed,
        "model": {"kind": model["kind"], **model.get("params", {})},
        "regime": {"name": run.regime, "train": regime.get("train", {}), **pieces},
        "probes": list(spec.get("probes", [])),
        # Only when asked for, so that other runs' specs (and checkpoints) are unchanged.
        **({"dynamics": dict(spec["dynamics"])} if spec.get("dynamics") else {}),
    }


def run_specs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every run's resolved spec, keyed by run path. A run shared by two experiments must
    resolve identically in both."""
    specs: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for name in enabled_experiments(config):
        for run in experiment_runs(config, name):
            spec = resolve_run(config, run, name)
            if run.path in specs and specs[run.path] != spec:
                raise ConfigError(
                    f"config key experiments/{name}: run {run.path} is also trained by "
                    f"experiments/{owners[run.path]} with different settings; give one of them "
                    "its own regime name"
                )
            specs[run.path] = spec
            owners[run.path] = name
    return specs


def unbatchable_because(run_spec: dict[str, Any]) -> str:
    """Why torch.func cannot train this run's seeds at once ("" when it can): plain
    SGD/GD on an MLP with no recorders is what the vmapped path implements."""
    pieces = sorted(
        key
        for key, value in run_spec["regime"].items()
        if value is not None and key not in ("name", *NOT_PIECES)
    )
    if run_spec["model"]["kind"] != "mlp":
        return f"model kind {run_spec['model']['kind']} is not an MLP"
    if pieces:
        return f"regime piece(s) {', '.join(pieces)}"
    if run_spec.get("probes") or run_spec.get("dynamics"):
        return "the runs record probes or dynamics"
    return ""


def seed_groups(
    config: dict[str, Any], specs: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every group and the runs (one per seed) its training job trains:
    ``{group: {"vmap": bool, "runs": [run specs by seed]}}``.

    One process per group, not per seed: a job's start (importing torch) costs as much as
    training a small model. ``vmap`` groups (experiments with ``vmap_seeds: true``) train
    their seeds at once with torch.func and must differ only in the seed.
    """
    groups: dict[str, dict[str, Any]] = {}
    for name, experiment in enabled_experiments(config).items():
        for run in experiment_runs(config, name):
            spec = specs[run.path]
            group = groups.setdefault(run.group, {"vmap": False, "runs": {}})
            group["runs"][run.seed] = spec
            if experiment.get("vmap_seeds"):
                reason = unbatchable_because(spec)
                if reason:
                    raise ConfigError(
                        f"config key experiments/{name}/vmap_seeds: run {run.path} cannot be "
                        f"trained seeds-at-once: {reason}"
                    )
                group["vmap"] = True
    result = {}
    for path, group in sorted(groups.items()):
        ordered = [group["runs"][seed] for seed in sorted(group["runs"])]
        if group["vmap"]:
            first = {**ordered[0], "seed": 0, "name": ""}
            for spec in ordered[1:]:
                if {**spec, "seed": 0, "name": ""} != first:
                    raise ConfigError(
                        f"runs of {path} differ beyond their seed, so they cannot share a "
                        "vmapped seed batch; give one experiment its own regime name"
                    )
        result[path] = {"vmap": group["vmap"], "runs": ordered}
    return result
