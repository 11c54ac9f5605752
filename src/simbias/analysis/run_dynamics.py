"""Per-run analyses of training dynamics and weight spectra, on a finished run directory:
``opposing_signals`` (from the run's ``dynamics.npz``), ``weight_spectra`` (per-layer
ESD alpha, plain and FARMS) and ``aspect_ratio`` (the aspect-ratio sweep on Gaussian
matrices beside the run's own layers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simbias.analysis.opposing_signals import opposing_signals_analysis
from simbias.analysis.spectra import SPECTRUM_METRICS, aspect_ratio_sweep, weight_spectra
from simbias.data.store import load_split
from simbias.train.dynamics import DYNAMICS_NAME
from simbias.train.run import load_trained_model

#: Gaussian matrices of the sweep: aspect ratios 1, 2, 4, 8 at 100 columns.
SWEEP_SHAPES = [(100, 100), (200, 100), (400, 100), (800, 100)]


def opposing_signals_run(run_dir: str | Path, data_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / DYNAMICS_NAME
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the opposing_signals analysis needs the experiment's dynamics"
        )
    with np.load(path) as npz:
        dynamics = {key: npz[key] for key in npz.files}
    train = load_split(data_dir, "train")
    return opposing_signals_analysis(
        dynamics, labels=train.y, outlier_mask=train.attributes.get("outlier")
    )


def weight_spectra_run(
    run_dir: str | Path, data_dir: str | Path, device: str = "cpu"
) -> dict[str, float]:
    return weight_spectra(load_trained_model(run_dir, data_dir, device))


def aspect_ratio_run(
    run_dir: str | Path, data_dir: str | Path, device: str = "cpu", seed: int = 0
) -> dict[str, float]:
    """``gauss_q{Q}_{metric}`` for Gaussian matrices of aspect ratio Q (drawn from ``seed``)
    and ``trained_q{Q}_{metric}`` for the run's layers (rounded Q; mean where several)."""
    weights = weight_spectra_run(run_dir, data_dir, device)
    sweep = aspect_ratio_sweep(SWEEP_SHAPES, seed=seed)
    result: dict[str, float] = {}
    for row in sweep.itertuples():
        for metric in SPECTRUM_METRICS:
            result[f"gauss_q{round(row.aspect_ratio)}_{metric}"] = float(getattr(row, metric))
    layers = sorted({k.split("_")[0] for k in weights if k.startswith("layer")})
    trained: dict[str, list[float]] = {}
    for layer in layers:
        q = round(weights[f"{layer}_aspect_ratio"])
        for metric in SPECTRUM_METRICS:
            value = weights[f"{layer}_{metric}"]
            if np.isfinite(value):
                trained.setdefault(f"trained_q{q}_{metric}", []).append(value)
    result.update({key: float(np.mean(values)) for key, values in trained.items()})
    return result
