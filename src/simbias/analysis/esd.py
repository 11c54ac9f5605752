"""Empirical spectral densities (ESDs) of weight matrices and their power-law fits, as
WeightWatcher 0.7.7 computes them (``analyze()`` defaults), checked against its source:

* ESD: squared singular values of W (eigenvalues of W^T W), not divided by N (the 1/N
  ``normalize`` option was removed in 0.6.5; conv slices are scaled by sqrt(1/2) there,
  which we skip). Alpha does not depend on the scale; xmin does.
* Fit: eigenvalues above 1e-5 (WeightWatcher's EVALS_THRESH); continuous power law,
  alpha by maximum likelihood, xmin the data value minimising the KS distance (Clauset
  et al.). We use ``powerlaw.Fit`` with alpha allowed in [1, 1000]: powerlaw 2.0 limits
  alpha to [0, 3] by default, which WeightWatcher's own fitter (its default) does not;
  with the wider range the two agree (see tests/test_spectra.py).

:func:`hill_alpha` is the other estimator, FARMS's (Hu et al. 2025): Hill's with xmin at
the median eigenvalue, the one :mod:`simbias.analysis.farms` fits.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np

#: WeightWatcher drops eigenvalues at or below this before fitting.
EVALS_THRESH = 1e-5
#: WeightWatcher skips layers with fewer eigenvalues than this (DEFAULT_MIN_EVALS).
MIN_EVALS = 8
#: Hill's xmin is the eigenvalue at index n // HILL_XMIN_POS of the sorted ESD: its median
#: (FARMS's ``xmin_pos=2``, tempbalance_farms.py).
HILL_XMIN_POS = 2
#: Larger ESDs are fitted by the vectorised equivalent of powerlaw.Fit.
POWERLAW_MAX_EVALS = 1000


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
    the ESD, xmin fixed at the median eigenvalue, as FARMS fits it (Hu et al. 2025,
    ``tempbalance_farms.py`` ``analysis_esd`` with ``pl_fitting='median'``,
    ``xmin_pos=2``): sorted eigenvalues e (those above EVALS_THRESH), i = int(n / 2),
    xmin = e[i], alpha = 1 + (n - i) / sum(log(e[i:] / xmin)). Unlike the KS choice of
    xmin it does not jump to a few top eigenvalues when the ESD is not a power law (e.g. a
    random matrix's Marchenko-Pastur bulk). NaN with fewer than MIN_EVALS eigenvalues."""
    evals = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    evals = evals[evals > EVALS_THRESH]
    if len(evals) < MIN_EVALS:
        return math.nan
    i = len(evals) // HILL_XMIN_POS
    tail = evals[i:]
    spread = np.sum(np.log(tail / evals[i]))
    return float(1 + len(tail) / spread) if spread > 0 else math.nan
