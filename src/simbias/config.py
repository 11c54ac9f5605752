"""Turn the validated config into the runs, analyses, figures and claims it declares.

The schema (workflow/schemas/config.schema.yaml) checks keys and types; this
module checks what a schema cannot: that experiments refer to declared
datasets, models and regimes, and that two experiments sharing a run agree on
how to train it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: Names that become path components: letters, digits and ``_ . + -``; no ``/``, no ``..``.
SAFE_NAME = re.compile(r"^(?!.*\.\.)[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$")

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The config is well-typed but inconsistent; the message names the offending key."""


@dataclass(frozen=True)
class Run:
    dataset: str
    model: str
    regime: str
    seed: int

    @property
    def path(self) -> str:
        """The run's directory below ``results/runs``."""
        return f"{self.dataset}/{self.model}/{self.regime}/seed{self.seed}"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``; nested dicts merge, the rest replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_config(*paths: str | Path) -> dict[str, Any]:
    """Load ``config.yaml`` and overlays in order, validate, and check consistency."""
    config: dict[str, Any] = {}
    for path in paths:
        config = deep_merge(config, yaml.safe_load(Path(path).read_text()) or {})
    validate(config)
    return config


def validate(config: dict[str, Any]) -> None:
    """Schema validation (filling defaults) plus the cross-reference checks."""
    import jsonschema

    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ConfigError(f"config key {where}: {first.message}")
    check_consistency(config)


def check_consistency(config: dict[str, Any]) -> None:
    for section in ("datasets", "models", "regimes", "experiments"):
        for name in config.get(section, {}):
            if not SAFE_NAME.match(name):
                raise ConfigError(
                    f"config key {section}/{name}: names may use letters, digits and _ . + - "
                    "only (no '/', no '..')"
                )
    for name, experiment in config.get("experiments", {}).items():
        for section, key in (("datasets", "dataset"), ("models", "model")):
            if experiment[key] not in config.get(section, {}):
                raise ConfigError(
                    f"config key experiments/{name}/{key}: {experiment[key]!r} is not declared "
                    f"under {section}"
                )
        for regime in experiment["regimes"]:
            if regime not in config.get("regimes", {}):
                raise ConfigError(
                    f"config key experiments/{name}/regimes: {regime!r} is not declared under "
                    "regimes"
                )
        # Declared (so a typo is caught), though an overlay may train fewer regimes.
        for regime in experiment.get("regime_overrides", {}):
            if regime not in config.get("regimes", {}):
                raise ConfigError(
                    f"config key experiments/{name}/regime_overrides/{regime}: not a regime "
                    "declared under regimes"
                )
    specs = run_specs(config)  # raises on conflicting training settings
    _check_resolved_regimes(specs)
    seed_batches(config)


def _check_resolved_regimes(specs: dict[str, dict[str, Any]]) -> None:
    """A regime merged with an experiment's overrides must still be a valid regime."""
    import jsonschema

    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    regime_schema = {**schema["$defs"]["regime"], "$defs": schema["$defs"]}
    for path, spec in specs.items():
        regime = {k: v for k, v in spec["regime"].items() if k != "name"}
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(regime_schema).iter_errors(regime)
        )
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            raise ConfigError(
                f"run {path}: regime {spec['regime']['name']} {where}: {error.message}"
            )


def experiment_runs(config: dict[str, Any], experiment: str) -> list[Run]:
    spec = config["experiments"][experiment]
    return [
        Run(spec["dataset"], spec["model"], regime, int(seed))
        for regime in spec["regimes"]
        for seed in spec["seeds"]
    ]


def all_runs(config: dict[str, Any]) -> list[Run]:
    return sorted(
        {run for name in config["experiments"] for run in experiment_runs(config, name)},
        key=lambda r: r.path,
    )


def run_specs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every run's fully resolved spec, keyed by run path. A run shared by two experiments
    must resolve identically in both."""
    specs: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for name in config.get("experiments", {}):
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


def resolve_run(config: dict[str, Any], run: Run, experiment: str) -> dict[str, Any]:
    model = config["models"][run.model]
    spec = config["experiments"][experiment]
    # Precedence: the regime, then the experiment's train settings for all its regimes,
    # then the experiment's overrides for this regime (e.g. GD's epochs, an attack's eps).
    regime = deep_merge(config["regimes"][run.regime], {"train": spec.get("train", {})})
    regime = deep_merge(regime, spec.get("regime_overrides", {}).get(run.regime, {}))
    train = regime.get("train", {})
    pieces = {key: value for key, value in regime.items() if key not in ("description", "train")}
    return {
        "name": run.path,
        "dataset": run.dataset,
        "data": config["datasets"][run.dataset],
        "seed": run.seed,
        "model": {"kind": model["kind"], **model.get("params", {})},
        "regime": {"name": run.regime, "train": train, **pieces},
        "probes": list(spec.get("probes", [])),
        # Only when asked for, so that other runs' specs (and checkpoints) are unchanged.
        **({"dynamics": dict(spec["dynamics"])} if spec.get("dynamics") else {}),
    }


def experiments_with(config: dict[str, Any], field: str, item: str) -> list[str]:
    """Experiments whose ``field`` list (analyses, figures or claims) names ``item``."""
    return [name for name, spec in config["experiments"].items() if item in spec.get(field, [])]


def declared(config: dict[str, Any], field: str) -> list[str]:
    """Every analysis, figure or claim named by at least one experiment, sorted."""
    return sorted({item for spec in config["experiments"].values() for item in spec.get(field, [])})


def vmappable(run_spec: dict[str, Any]) -> bool:
    """Plain SGD/GD on an MLP with no probes: the runs torch.func can train seeds-at-once."""
    pieces = {"sam", "adversarial", "useful", "ensemble"} & {
        key for key, value in run_spec["regime"].items() if value
    }
    return (
        run_spec["model"]["kind"] == "mlp"
        and not pieces
        and not run_spec.get("probes")
        and not run_spec.get("dynamics")
    )


def seed_batches(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every (dataset, model, regime) group and the runs (one per seed) one training job
    trains: ``{dataset/model/regime: {"vmap": bool, "runs": [run specs by seed]}}``.

    One process per group, not per seed: a job's start (importing torch) costs as much as
    training a small model. ``vmap`` groups (experiments with ``vmap_seeds: true``) train
    their seeds at once with torch.func and must differ only in the seed.
    """
    specs = run_specs(config)
    groups: dict[str, dict[str, Any]] = {}
    for name, experiment in config["experiments"].items():
        for run in experiment_runs(config, name):
            spec = specs[run.path]
            group = groups.setdefault(run.path.rsplit("/", 1)[0], {"vmap": False, "runs": {}})
            group["runs"][run.seed] = spec
            if experiment.get("vmap_seeds"):
                if not vmappable(spec):
                    raise ConfigError(
                        f"config key experiments/{name}/vmap_seeds: run {run.path} is not a "
                        "plain SGD/GD MLP run, so its seeds cannot be trained at once"
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
