"""aspect_ratio: the aspect-ratio bias of plain and FARMS alphas, on Gaussian matrices
drawn from the run's seed and on the run's own layers."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs

#: Gaussian matrices of the sweep: aspect ratios 1, 2, 4, 8 at 100 columns.
SWEEP_SHAPES = [(100, 100), (200, 100), (400, 100), (800, 100)]


@ANALYSES.register(
    "aspect_ratio",
    caption="""Plain and FARMS alphas (KS fit and Hill estimate) of i.i.d. Gaussian matrices
    of aspect ratio 1, 2, 4 and 8, drawn from the run's seed, beside the run's own layers
    grouped by rounded aspect ratio: the plain alpha drifts with the aspect ratio, the
    FARMS alpha should not.""",
    title="aspect_ratio",
    needs=("model", "weights"),
)
def aspect_ratio(run: RunInputs, settings: None) -> dict[str, float]:
    """``gauss_q{Q}_{metric}`` for Gaussian matrices of aspect ratio Q and
    ``trained_q{Q}_{metric}`` for the run's layers (rounded Q; mean where several)."""
    import numpy as np

    from simbias.analysis.spectra import SPECTRUM_METRICS, aspect_ratio_sweep, weight_spectra
    from simbias.train.run import load_trained_model

    weights = weight_spectra(load_trained_model(run.run_dir, run.data_dir, run.device))
    sweep = aspect_ratio_sweep(SWEEP_SHAPES, seed=run.seed)
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
