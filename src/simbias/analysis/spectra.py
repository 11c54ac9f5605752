"""Heavy-tailed weight spectra of a network's layers, and of Gaussian matrices by aspect
ratio: WeightWatcher's power-law alpha (:mod:`simbias.analysis.esd`) and its FARMS variant
(:mod:`simbias.analysis.farms`), each also as a Hill estimate. Layers: ``nn.Linear``
weights as they are; an ``nn.Conv2d`` weight (out, in, kh, kw) is cut into its kh*kw slices
``W[:, :, i, j]`` (out x in) whose eigenvalues are pooled into one ESD for the layer, as
WeightWatcher does. Every matrix is oriented N x M with N >= M.

Which alpha: the KS choice of xmin is WeightWatcher's, but on a spectrum that is not a
power law (a random matrix's Marchenko-Pastur bulk) it lands on a handful of top
eigenvalues and alpha is noise (5 to 10 on Gaussian matrices, in no order). The Hill
estimate with xmin at the median eigenvalue (:func:`hill_alpha`, "PL_Alpha_Hill") is
stable there and shows the aspect-ratio bias FARMS removes: on Gaussian 100 x 100..800
matrices it rises 2.2 -> 4.5 with N/M, while the FARMS Hill alpha stays at 2.1-2.2.
Both are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from torch import nn

from simbias.analysis.esd import _tall, esd, fit_alpha, hill_alpha
from simbias.analysis.farms import FARMS_SAMPLES, farms_alpha, farms_esd

#: Per-layer metrics of :func:`weight_spectra` and columns of :func:`aspect_ratio_sweep`.
SPECTRUM_METRICS = ("alpha", "farms_alpha", "alpha_hill", "farms_alpha_hill")


def layer_matrices(model: nn.Module) -> list[tuple[str, list[np.ndarray]]]:
    """(module name, its 2-D weight matrices) for every Linear and Conv2d layer, in
    ``named_modules`` order: one matrix for Linear, the kh*kw slices for Conv2d."""
    layers = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            layers.append((name, [module.weight.detach().cpu().double().numpy()]))
        elif isinstance(module, nn.Conv2d):
            w = module.weight.detach().cpu().double().numpy()
            slices = [w[:, :, i, j] for i in range(w.shape[2]) for j in range(w.shape[3])]
            layers.append((name, slices))
    return layers


def _pooled(matrices: list[np.ndarray], spectrum: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    return np.sort(np.concatenate([spectrum(w) for w in matrices]))


def weight_spectra(
    model: nn.Module, aspect_ratio: float = 1.0, n_samples: int = FARMS_SAMPLES
) -> dict[str, float]:
    """Per layer i (Linear and Conv2d, in module order): ``layer{i}_alpha`` (WeightWatcher's
    KS-fitted alpha), ``layer{i}_farms_alpha`` (the same fit on the FARMS ESD),
    ``layer{i}_alpha_hill`` and ``layer{i}_farms_alpha_hill`` (:func:`hill_alpha` of each),
    ``layer{i}_aspect_ratio`` (N/M >= 1); plus ``mean_`` + each metric over the layers with
    a value (NaN where a layer has too few eigenvalues, e.g. a 2-class output layer)."""
    result: dict[str, float] = {}
    per_metric: dict[str, list[float]] = {m: [] for m in SPECTRUM_METRICS}
    for i, (_, matrices) in enumerate(layer_matrices(model)):
        plain = _pooled(matrices, esd)
        farms = _pooled(matrices, lambda w: farms_esd(w, aspect_ratio, n_samples))
        values = {
            "alpha": fit_alpha(plain)["alpha"],
            "farms_alpha": fit_alpha(farms)["alpha"],
            "alpha_hill": hill_alpha(plain),
            "farms_alpha_hill": hill_alpha(farms),
        }
        for metric, value in values.items():
            result[f"layer{i}_{metric}"] = value
            per_metric[metric].append(value)
        n, m = _tall(matrices[0]).shape
        result[f"layer{i}_aspect_ratio"] = n / m
    for metric, values in per_metric.items():
        result[f"mean_{metric}"] = _nanmean(values)
    return result


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def aspect_ratio_sweep(
    shapes: list[tuple[int, int]],
    seed: int = 0,
    matrices: dict[str, np.ndarray] | None = None,
    n_samples: int = FARMS_SAMPLES,
) -> pd.DataFrame:
    """Plain and FARMS alphas of i.i.d. Gaussian matrices of each shape (from ``seed``) and
    of any given ``matrices``: columns name, shape, aspect_ratio and the SPECTRUM_METRICS.
    FARMS windows are random submatrices drawn from the same seed."""
    rng = np.random.default_rng(seed)
    named = [(f"gaussian_{r}x{c}", rng.standard_normal((r, c))) for r, c in shapes]
    named += list((matrices or {}).items())
    rows = []
    for name, w in named:
        n, m = _tall(w).shape
        plain = esd(w)
        farms = farms_alpha(w, n_samples=n_samples, generator=rng)
        rows.append(
            {
                "name": name,
                "shape": f"{w.shape[0]}x{w.shape[1]}",
                "aspect_ratio": n / m,
                "alpha": fit_alpha(plain)["alpha"],
                "farms_alpha": farms["alpha"],
                "alpha_hill": hill_alpha(plain),
                "farms_alpha_hill": farms["alpha_hill"],
            }
        )
    return pd.DataFrame(rows, columns=["name", "shape", "aspect_ratio", *SPECTRUM_METRICS])
