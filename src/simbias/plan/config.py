"""The config: composed from its files, validated, and checked for what a schema cannot.

The base is ``config.yaml`` plus every paper's ``configs/experiments/*.yaml``; named
overlays (``configs/paper.yaml``, ``configs/tiny.yaml``) merge on top, left to right.
:func:`check_consistency` checks that experiments refer to declared datasets, models and
regimes; simbias.plan.validate runs the schema and every other check.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

#: Names that become path components: letters, digits and ``_ . + -``; no ``/``, no ``..``.
SAFE_NAME = re.compile(r"^(?!.*\.\.)[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$")

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "config.schema.yaml"
BASE_CONFIG = "config.yaml"
EXPERIMENT_FILES = "configs/experiments/*.yaml"


class ConfigError(ValueError):
    """The config is well-typed but inconsistent; the message names the offending key."""


def read_config_files(paths: list[str | Path]) -> dict[str, Any]:
    """The files merged left to right."""
    config: dict[str, Any] = {}
    for path in paths:
        config = deep_merge(config, yaml.safe_load(Path(path).read_text()) or {})
    return config


def base_config_files(root: str | Path = ROOT) -> list[Path]:
    """``config.yaml`` then each paper's experiments file, in name order."""
    root = Path(root)
    return [root / BASE_CONFIG, *sorted(root.glob(EXPERIMENT_FILES))]


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``; nested dicts merge, the rest replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def enabled_experiments(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The experiments an overlay has not switched off (``enabled: false``)."""
    return {
        name: spec
        for name, spec in config.get("experiments", {}).items()
        if spec.get("enabled", True)
    }


def check_consistency(config: dict[str, Any]) -> None:
    for section in ("datasets", "models", "regimes", "experiments"):
        for name in config.get(section, {}):
            if not SAFE_NAME.match(name):
                raise ConfigError(
                    f"config key {section}/{name}: names may use letters, digits and _ . + - "
                    "only (no '/', no '..')"
                )
    for name, experiment in enabled_experiments(config).items():
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
        _check_controls(config, name, experiment)
        for other in experiment.get("claim_evidence", []):
            if other not in enabled_experiments(config):
                raise ConfigError(
                    f"config key experiments/{name}/claim_evidence: {other!r} is not an enabled"
                    " experiment"
                )
        for analysis in experiment.get("analysis_settings", {}):
            if analysis not in experiment.get("analyses", []):
                raise ConfigError(
                    f"config key experiments/{name}/analysis_settings/{analysis}: the "
                    "experiment does not run that analysis"
                )


def _check_controls(config: dict[str, Any], name: str, experiment: dict[str, Any]) -> None:
    """Each control belongs to a claim of the experiment, and its experiment (the runs in
    which the effect cannot appear), if it names one, is enabled."""
    experiments = enabled_experiments(config)
    for claim, control in experiment.get("controls", {}).items():
        where = f"config key experiments/{name}/controls/{claim}"
        if claim not in experiment.get("claims", []):
            raise ConfigError(f"{where}: the experiment does not check that claim")
        other = control.get("experiment")
        if other is None:
            continue
        if other not in experiments:
            raise ConfigError(f"{where}/experiment: {other!r} is not an enabled experiment")


def declared(config: dict[str, Any], field: str) -> list[str]:
    """Every analysis, figure or claim named by at least one experiment, sorted."""
    return sorted(
        {item for spec in enabled_experiments(config).values() for item in spec.get(field, [])}
    )
