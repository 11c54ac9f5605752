"""Every check of a config before any job starts: the schema (keys, types, bounds; it
fills defaults), cross-references, and the plan's own checks (shared runs train the same
way, resolved regimes are valid, experiments agree on an analysis's settings)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from simbias.plan.config import (
    ROOT,
    SCHEMA_PATH,
    ConfigError,
    base_config_files,
    check_consistency,
    read_config_files,
)
from simbias.plan.plan import Plan
from simbias.plan.runs import start_from_run


@functools.cache
def _schema() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _first_error(schema: dict[str, Any], value: Any) -> str | None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
    return f"{where}: {errors[0].message}"


def check_resolved_regimes(plan: Plan) -> None:
    """A regime merged with an experiment's overrides must still be a valid regime."""
    schema = _schema()
    regime_schema = {**schema["$defs"]["regime"], "$defs": schema["$defs"]}
    for path, spec in plan.specs.items():
        regime = {k: v for k, v in spec["regime"].items() if k != "name"}
        error = _first_error(regime_schema, regime)
        if error is not None:
            raise ConfigError(f"run {path}: regime {spec['regime']['name']} {error}")


def check_start_from(plan: Plan) -> None:
    """A policy-gradient phase that starts from another regime's runs needs those runs in
    the plan, trained with its own train settings on the same data and model (so its spec
    and history describe the weights it starts from)."""
    for experiment, runs in plan.runs.items():
        for run in runs:
            spec = plan.specs[run.path]
            parent = start_from_run(run, spec)
            if parent is None:
                continue
            where = f"experiments/{experiment}: regime {run.regime} starts from {parent.regime}"
            if parent.path not in plan.specs:
                raise ConfigError(
                    f"{where}, but no enabled experiment trains {parent.path}: add "
                    f"{parent.regime} to an experiment with the same dataset, model and seeds"
                )
            start = plan.specs[parent.path]
            for key in ("data", "model"):
                if start[key] != spec[key]:
                    raise ConfigError(f"{where}, whose {key} differs from this run's")
            if start["regime"]["train"] != spec["regime"]["train"]:
                raise ConfigError(
                    f"{where}, whose train settings differ from {run.regime}'s: give both the "
                    "same train section (the run's spec says how its weights were trained)"
                )


def _check_schema(config: dict[str, Any]) -> None:
    error = _first_error(_schema(), config)
    if error is not None:
        raise ConfigError(f"config key {error}")


def validate(config: dict[str, Any]) -> Plan:
    """The schema, then the cross-reference and plan checks; the plan on success."""
    _check_schema(config)
    return plan_checked(config)


def plan_checked(config: dict[str, Any]) -> Plan:
    """The cross-reference and plan checks of a config the schema has accepted (Snakemake
    validates it first); the plan on success."""
    check_consistency(config)
    plan = Plan.build(config)
    check_resolved_regimes(plan)
    check_start_from(plan)
    return plan


def load_config(*overlays: str | Path, root: str | Path = ROOT) -> dict[str, Any]:
    """The base config with ``overlays`` merged on top (as Snakemake composes it), filled
    with the schema's defaults and checked. A base file named again changes nothing."""
    config = read_config_files([*base_config_files(root), *overlays])
    _check_schema(config)  # first, for our messages; then Snakemake's validate fills defaults
    _fill_defaults(config)
    plan_checked(config)
    return config


def _fill_defaults(config: dict[str, Any]) -> None:
    """Snakemake's ``validate`` fills the schema's defaults; do the same here, so a config
    loaded in Python plans exactly what Snakemake plans."""
    from snakemake.utils import validate as snakemake_validate

    snakemake_validate(config, str(SCHEMA_PATH), set_default=True)
