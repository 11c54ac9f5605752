"""FARMS (Hu et al. 2025, "Eigenspectrum Analysis of Neural Networks without Aspect Ratio
Bias"): the ESD of a wide matrix has a Marchenko-Pastur bulk whose shape depends on the
aspect ratio Q = N/M, and so does a fitted alpha. FARMS pools the eigenvalues of many
overlapping submatrices that all have one fixed aspect ratio (square by default: windows
of side M slid along the long side) and fits alpha on the pooled ESD. A square matrix has
one square window, itself, so its FARMS ESD is its plain ESD.
"""

from __future__ import annotations

import math

import numpy as np

from simbias.analysis.esd import _tall, esd, fit_alpha, hill_alpha

#: Submatrices pooled per matrix by FARMS by default.
FARMS_SAMPLES = 8


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
