"""Per-run analyses by name: ``run_analysis(name, run_dir, data_dir, device, settings)``,
and ``run_group_analysis`` for all seeds of a (dataset, model, regime) group at once.

Each returns a flat dict ``{"{split}_{metric}": value}`` that the tables summarise over
seeds. A new analysis is a function here plus its name in the config schema's enum.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simbias.analysis.neuron_simplicity import neuron_simplicity
from simbias.analysis.robustness import robustness
from simbias.analysis.run_dynamics import aspect_ratio_run, opposing_signals_run, weight_spectra_run
from simbias.analysis.sb_metrics import sb_metrics
from simbias.analysis.shape_bias import shape_bias_analysis

RUN_ANALYSES: dict[str, Callable[..., dict[str, Any]]] = {
    "sb_metrics": lambda run_dir, data_dir, device, settings: sb_metrics(run_dir, data_dir, device),
    "robustness": lambda run_dir, data_dir, device, settings: robustness(
        run_dir, data_dir, device, attack=settings.get("robustness_attack")
    ),
    "shape_bias": lambda run_dir, data_dir, device, settings: shape_bias_analysis(
        run_dir, data_dir, device
    ),
    "neuron_simplicity": lambda run_dir, data_dir, device, settings: neuron_simplicity(
        run_dir, data_dir, device
    ),
    "opposing_signals": lambda run_dir, data_dir, device, settings: opposing_signals_run(
        run_dir, data_dir
    ),
    "weight_spectra": lambda run_dir, data_dir, device, settings: weight_spectra_run(
        run_dir, data_dir, device
    ),
    "aspect_ratio": lambda run_dir, data_dir, device, settings: aspect_ratio_run(
        run_dir, data_dir, device, seed=settings.get("seed", 0)
    ),
}


def run_analysis(
    name: str, run_dir: str | Path, data_dir: str | Path, device: str, settings: dict[str, Any]
) -> dict[str, Any]:
    if name not in RUN_ANALYSES:
        raise ValueError(f"unknown analysis {name!r}; known: {sorted(RUN_ANALYSES)}")
    return RUN_ANALYSES[name](run_dir, data_dir, device, settings)


def run_group_analysis(
    name: str,
    run_dirs: dict[int, str | Path],
    data_dir: str | Path,
    device: str,
    settings: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """``name`` on every seed's run of one group, in one process: ``{"seed{s}": result}``."""
    return {
        f"seed{seed}": run_analysis(name, run_dir, data_dir, device, {**settings, "seed": seed})
        for seed, run_dir in sorted(run_dirs.items())
    }
