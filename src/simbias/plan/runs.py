"""Runs: what an experiment trains, each run's resolved spec, and the groups of seeds
that one training job trains together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simbias.plan import layout
from simbias.plan.catalogue import entry
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


def start_from_run(run: Run, run_spec: dict[str, Any]) -> Run | None:
    """The run whose final weights this run's policy-gradient phase starts from (its
    ``start_from`` regime, same dataset, model, seed and records), or None."""
    phase = run_spec["regime"].get("policy_gradient") or {}
    if not phase.get("start_from"):
        return None
    return Run(run.dataset, run.model, phase["start_from"], run.seed, run.records)


def resolve_run(config: dict[str, Any], run: Run, experiment: str) -> dict[str, Any]:
    """The run's whole training spec, as the training job reads it."""
    model = config["models"][run.model]
    spec = config["experiments"][experiment]
    # Precedence: the regime, then the experiment's train settings for all its regimes,
    # then the experiment's overrides for this regime (e.g. GD's epochs, an attack's eps).
    regime = deep_merge(config["regimes"][run.regime], {"train": spec.get("train", {})})
    regime = deep_merge(regime, spec.get("regime_overrides", {}).get(run.regime, {}))
    pieces = {key: value for key, value in regime.items() if key not in NOT_PIECES}
    resolved = {
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
    parent = start_from_run(run, resolved)
    if parent is not None:  # the directory the training job reads the weights from
        resolved["start_from"] = layout.RUN.format(group=parent.group, seed=parent.seed)
    return resolved


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


def _no_batched_form(kind: str, name: str) -> str:
    """Why a catalogue entry's seeds cannot train at once ("" when they can): its
    ``seeds_at_once`` meta is True, or a string saying why not (a measurement)."""
    meta = entry(kind, name).get("seeds_at_once")
    if meta is True:
        return ""
    return f"{name}: {meta}" if isinstance(meta, str) else f"{name} has no seeds-at-once form"


def unbatchable_because(run_spec: dict[str, Any]) -> str:
    """Why this run's seeds cannot train at once ("" when they can): the model and every
    regime piece must have a seeds-at-once form (``seeds_at_once`` in their catalogue
    entries), and so must the train settings. Recorders observe each seed's own network
    (simbias.train.seed_observers), so they never prevent it."""
    pieces = sorted(
        key
        for key, value in run_spec["regime"].items()
        if value is not None and key not in ("name", *NOT_PIECES)
    )
    reasons = [_no_batched_form("models", run_spec["model"]["kind"])]
    reasons += [_no_batched_form("pieces", piece) for piece in pieces]
    train = run_spec["regime"].get("train") or {}
    if train.get("precision") == "bf16" or train.get("compile"):
        reasons.append("bf16 autocast and torch.compile train one seed at a time")
    if train.get("mixup"):
        reasons.append("mixup trains one seed at a time (no seeds-at-once form yet)")
    return "; ".join(reason for reason in reasons if reason)


def seed_groups(
    config: dict[str, Any], specs: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every group and the runs (one per seed) its training job trains:
    ``{group: {"vmap": bool, "why": str, "runs": [run specs by seed]}}``.

    One process per group, not per seed: a job's start (importing torch) costs as much as
    training a small model. A group trains its seeds at once (torch.func) unless a part of
    it cannot; ``why`` says which, in one line. The config decides nothing about it.
    """
    groups: dict[str, dict[int, dict[str, Any]]] = {}
    for name in enabled_experiments(config):
        for run in experiment_runs(config, name):
            groups.setdefault(run.group, {})[run.seed] = specs[run.path]
    result = {}
    for path, by_seed in sorted(groups.items()):
        ordered = [by_seed[seed] for seed in sorted(by_seed)]
        why = unbatchable_because(ordered[0])
        first = {**ordered[0], "seed": 0, "name": ""}
        if not why and any({**spec, "seed": 0, "name": ""} != first for spec in ordered):
            why = "its seeds train with different settings"
        result[path] = {"vmap": not why, "why": why, "runs": ordered}
    return result
