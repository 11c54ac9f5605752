"""aspect_ratio: the aspect-ratio bias of ESD alpha and FARMS's fix (Hu et al. 2025), on
random matrices drawn from the run's seed and on the run's own layers."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs

#: Random matrices of the sweep: aspect ratios Q = 1, 2, 4, 8 at 100 columns, so that the
#: Q = 1 matrix is exactly one FARMS window.
SWEEP_SHAPES = [(100, 100), (200, 100), (400, 100), (800, 100)]
#: Fresh matrices per kind and shape per run: the draw-to-draw SD of each estimator is
#: measured over these (its relative standard error, 1/sqrt(2 (DRAWS - 1)), is 18% per
#: run). About a second of CPU per run.
DRAWS = 16


@ANALYSES.register(
    "aspect_ratio",
    caption="""Hill alpha (xmin at the median) of the whole matrix (plain), FARMS's alpha
    (100 x 100 windows, 9 per dimension, pooled) and one fixed 100 x 100 block (the
    control), on i.i.d. Gaussian and planted-tail Pareto (mu = 1, ESD exponent 1.5)
    matrices of aspect ratio 1, 2, 4 and 8 drawn from the run's seed (mean and SD over
    the draws), beside the run's own layers grouped by rounded aspect ratio.""",
    title="aspect_ratio",
    needs=("model", "weights"),
)
def aspect_ratio(run: RunInputs, settings: None) -> dict[str, float]:
    """``{kind}_q{Q}_{estimator}`` and ``{kind}_q{Q}_{estimator}_sd`` (mean and SD over
    DRAWS matrices; kind ``gauss`` or ``pareto``; estimator ``alpha_hill``, ``farms_alpha``
    or ``single_block_alpha``), ``pareto_planted_alpha`` (1 + mu/2), and
    ``trained_q{Q}_{estimator}`` for the run's layers (rounded Q; mean where several)."""
    import numpy as np

    from simbias.analysis.spectra import (
        ESTIMATORS,
        aspect_ratio_sweep,
        planted_alpha,
        sweep_summary,
        weight_spectra,
    )
    from simbias.train.run import load_trained_model

    weights = weight_spectra(load_trained_model(run.run_dir, run.data_dir, run.device))
    result = sweep_summary(aspect_ratio_sweep(SWEEP_SHAPES, seed=run.seed, draws=DRAWS))
    result["pareto_planted_alpha"] = planted_alpha()
    layers = sorted({k.split("_")[0] for k in weights if k.startswith("layer")})
    trained: dict[str, list[float]] = {}
    for layer in layers:
        q = round(weights[f"{layer}_aspect_ratio"])
        for metric in ESTIMATORS:
            value = weights[f"{layer}_{metric}"]
            if np.isfinite(value):
                trained.setdefault(f"trained_q{q}_{metric}", []).append(value)
    result.update({key: float(np.mean(values)) for key, values in trained.items()})
    return result
