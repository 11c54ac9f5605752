"""The plan layer: config files composed and validated, the typed plan of runs, groups
and jobs computed once, and the one layout of result paths."""

from simbias.plan import layout
from simbias.plan.config import ConfigError, declared, deep_merge
from simbias.plan.plan import Plan
from simbias.plan.runs import Run, RunUse
from simbias.plan.validate import load_config, validate

__all__ = [
    "ConfigError",
    "Plan",
    "Run",
    "RunUse",
    "declared",
    "deep_merge",
    "layout",
    "load_config",
    "validate",
]
