"""Heavy-tailed weight spectra: WeightWatcher's power-law alpha and its FARMS variant.

Follows WeightWatcher 0.7.7 (``analyze()`` defaults), checked against its source:

* Layers: ``nn.Linear`` weights as they are; an ``nn.Conv2d`` weight (out, in, kh, kw) is
  cut into its kh*kw slices ``W[:, :, i, j]`` (out x in) whose eigenvalues are pooled
  into one ESD for the layer. Every matrix is oriented N x M with N >= M.
* ESD: squared singular values of W (eigenvalues of W^T W), not divided by N (the 1/N
  ``normalize`` option was removed in 0.6.5; conv slices are scaled by sqrt(1/2) there,
  which we skip). Alpha does not depend on the scale; xmin does.
* Fit: eigenvalues above 1e-5 (WeightWatcher's EVALS_THRESH); continuous power law,
  alpha by maximum likelihood, xmin the data value minimising the KS distance (Clauset
  et al.). We use ``powerlaw.Fit`` with alpha allowed in [1, 1000]: powerlaw 2.0 limits
  alpha to [0, 3] by default, which WeightWatcher's own fitter (its default) does not;
  with the wider range the two agree (see tests/test_spectra.py).

FARMS (Hu et al. 2025, "Eigenspectrum Analysis of Neural Networks without Aspect Ratio
Bias"): the ESD of a wide matrix has a Marchenko-Pastur bulk whose shape depends on the
aspect ratio Q = N/M, and so does a fitted alpha. FARMS pools the eigenvalues of many
overlapping submatrices that all have one fixed aspect ratio (square by default: windows
of side M slid along the long side) and fits alpha on the pooled ESD. A square matrix has
one square window, itself, so its FARMS ESD is its plain ESD.

Which alpha: the KS choice of xmin is WeightWatcher's, but on a spectrum that is not a
power law (a random matrix's Marchenko-Pastur bulk) it lands on a handful of top
eigenvalues and alpha is noise (5 to 10 on Gaussian matrices, in no order). The Hill
estimate with xmin at the median eigenvalue (:func:`hill_alpha`, "PL_Alpha_Hill") is
stable there and shows the aspect-ratio bias FARMS removes: on Gaussian 100 x 100..800
matrices it rises 2.2 -> 4.5 with N/M, while the FARMS Hill alpha stays at 2.1-2.2.
Both are reported.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from torch import nn

#: WeightWatcher drops eigenvalues at or below this before fitting.
EVALS_THRESH = 1e-5
#: WeightWatcher skips layers with fewer eigenvalues than this (DEFAULT_MIN_EVALS).
MIN_EVALS = 8
#: Submatrices pooled per matrix by FARMS by default.
FARMS_SAMPLES = 8
#: Larger ESDs are fitted by the vectorised equivalent of powerlaw.Fit.
POWERLAW_MAX_EVALS = 1000
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


def _tall(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {w.shape}")
    return w if w.shape[0] >= w.shape[1] else w.T


def esd(w: np.ndarray, normalize: bool = False) -> np.ndarray:
    """Ascending eigenvalues of W^T W for W oriented N x M (N >= M): its M squared singular
    values; divided by N when ``normalize`` (the classic X = W^T W / N)."""
    tall = _tall(w)
    evals = np.sort(np.linalg.svd(tall, compute_uv=False) ** 2)
    return evals / tall.shape[0] if normalize else evals


def fit_alpha(eigenvalues: np.ndarray) -> dict[str, float]:
    """Power-law fit of an ESD's tail: ``alpha``, ``xmin``, ``ks_distance``, ``n_tail``
    (NaN when fewer than MIN_EVALS eigenvalues exceed EVALS_THRESH). Up to
    POWERLAW_MAX_EVALS eigenvalues with ``powerlaw.Fit``; above, its xmin search costs
    O(n^2) Python-level fits, so the same estimator runs vectorised (:func:`_clauset_fit`)."""
    evals = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    evals = evals[evals > EVALS_THRESH]
    if len(evals) < MIN_EVALS or len(np.unique(evals)) < 3:
        return dict.fromkeys(("alpha", "xmin", "ks_distance", "n_tail"), math.nan)
    if len(evals) > POWERLAW_MAX_EVALS:
        alpha, xmin, distance = _clauset_fit(evals)
    else:
        alpha, xmin, distance = _powerlaw_fit(evals)
    return {
        "alpha": alpha,
        "xmin": xmin,
        "ks_distance": distance,
        "n_tail": float(np.sum(evals >= xmin)),
    }


def _powerlaw_fit(evals: np.ndarray) -> tuple[float, float, float]:
    import powerlaw  # imported here: a second's import only where spectra are fitted

    # powerlaw prints progress and warns on every xmin candidate: keep both quiet.
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        fit = powerlaw.Fit(evals, verbose=0, parameter_ranges={"alpha": [1.0, 1000.0]})
        return float(fit.alpha), float(fit.xmin), float(fit.D)


def _clauset_fit(evals: np.ndarray) -> tuple[float, float, float]:
    """Continuous power law, xmin minimising the KS distance over the distinct data values
    but the largest: what ``powerlaw.Fit`` computes (and WeightWatcher's own fitter).
    ``evals`` sorted ascending."""
    logs = np.log(evals)
    suffix = np.cumsum(logs[::-1])[::-1]  # sum of logs from each index on
    candidates = np.unique(evals, return_index=True)[1][:-1]
    best = (math.inf, math.nan, math.nan)
    for i in candidates:
        n = len(evals) - i
        spread = suffix[i] - n * logs[i]
        alpha = 1 + n / spread if spread > 0 else math.inf
        if not 1 <= alpha <= 1000:
            continue
        tail = evals[i:]
        fitted = 1 - (tail / evals[i]) ** (1 - alpha)
        empirical = np.arange(n) / n  # the data's CDF just below each point, as powerlaw's
        distance = float(np.max(np.abs(fitted - empirical)))
        if distance < best[0]:
            best = (distance, float(alpha), float(evals[i]))
    distance, alpha, xmin = best
    return alpha, xmin, distance


def hill_alpha(eigenvalues: np.ndarray) -> float:
    """PL_Alpha_Hill: the Hill (maximum-likelihood) power-law exponent of the upper half of
    the ESD, xmin fixed at the median eigenvalue ("xmin_mid"), as in the FARMS paper's
    line of work. Unlike the KS choice of xmin it does not jump to a few top eigenvalues
    when the ESD is not a power law (e.g. a random matrix's Marchenko-Pastur bulk)."""
    evals = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    evals = evals[evals > EVALS_THRESH]
    if len(evals) < MIN_EVALS:
        return math.nan
    xmin = evals[len(evals) // 2]
    tail = evals[evals >= xmin]
    spread = np.sum(np.log(tail / xmin))
    return float(1 + len(tail) / spread) if spread > 0 else math.nan


def _window_shape(n: int, m: int, aspect_ratio: float) -> tuple[int, int]:
    """Largest (rows, cols) window of an n x m (n >= m) matrix with rows/cols = aspect_ratio."""
    cols = min(m, math.floor(n / aspect_ratio))
    return min(n, round(cols * aspect_ratio)), cols


def farms_esd(
    w: np.ndarray,
    aspect_ratio: float = 1.0,
    n_samples: int = FARMS_SAMPLES,
    generator: np.random.Generator | None = None,
) -> np.ndarray:
    """Pooled (concatenated, ascending) eigenvalues of up to ``n_samples`` distinct
    submatrices of W (oriented N x M, N >= M) with rows/cols = ``aspect_ratio`` >= 1.

    Without ``generator`` the windows are contiguous blocks at evenly spaced offsets
    (FARMS's overlapping sliding windows); with one, each submatrix takes random rows and
    columns (kept in order). Either way a window covering all of W is W itself, taken once.
    """
    if not aspect_ratio >= 1:
        raise ValueError(f"aspect_ratio must be >= 1 (rows / cols), got {aspect_ratio!r}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
    tall = _tall(w)
    n, m = tall.shape
    rows, cols = _window_shape(n, m, aspect_ratio)
    if rows < 1 or cols < 1:
        raise ValueError(f"a {n} x {m} matrix has no {aspect_ratio}:1 submatrix")
    if (rows, cols) == (n, m):
        return esd(tall)
    blocks = []
    if generator is None:
        offsets = np.linspace(0, 1, n_samples) if n_samples > 1 else np.zeros(1)
        starts = {(round(f * (n - rows)), round(f * (m - cols))) for f in offsets}
        for r, c in sorted(starts):
            blocks.append(tall[r : r + rows, c : c + cols])
    else:
        for _ in range(n_samples):
            r = np.sort(generator.choice(n, size=rows, replace=False))
            c = np.sort(generator.choice(m, size=cols, replace=False))
            blocks.append(tall[np.ix_(r, c)])
    return np.sort(np.concatenate([esd(block) for block in blocks]))


def farms_alpha(
    w: np.ndarray,
    aspect_ratio: float = 1.0,
    n_samples: int = FARMS_SAMPLES,
    generator: np.random.Generator | None = None,
) -> dict[str, float]:
    """:func:`fit_alpha` of :func:`farms_esd`, plus its :func:`hill_alpha` as ``alpha_hill``."""
    pooled = farms_esd(w, aspect_ratio, n_samples, generator)
    return {**fit_alpha(pooled), "alpha_hill": hill_alpha(pooled)}


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
