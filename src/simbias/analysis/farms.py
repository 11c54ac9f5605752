"""FARMS (Hu et al. 2025, "Eigenspectrum Analysis of Neural Networks without Aspect Ratio
Bias"; code: github.com/HUST-AI-HYZ/FARMS), and the single-block control it is judged
beside.

The ESD of an N x M matrix has a Marchenko-Pastur bulk whose shape depends on the aspect
ratio Q = N/M, and so does an alpha fitted to it. FARMS measures every matrix through
windows of one fixed shape instead: square 100 x 100 windows on a fixed grid, 9 per
dimension, whose eigenvalues are pooled (concatenated) into one ESD, and alpha is fitted
ONCE on the pooled ESD by Hill's estimator with xmin at its median eigenvalue.

What their code does, and where we follow it (``Image_Classification/`` of their repo;
``farms_imagecls_main.txt`` holds the settings of the paper's runs):

* Window: ``num_row_samples=100`` rows and ``int(100 * Q_ratio)`` columns, ``Q_ratio=1.0``
  (a square 100 x 100 window): :data:`FARMS_WINDOW`.
* Grid: ``fixed_sampling`` with ``sampling_ops_per_dim=9``: along a dimension of length L,
  step ``max(1, (L - 100) // 8)``, ``min(9, (L - 100) // step + 1)`` windows starting at
  ``min(i * step, L - 100)``; every row start with every column start, so a large matrix
  gives 9 x 9 = 81 windows and a dimension of exactly 100 gives one start
  (:func:`window_starts`). The weight is taken as stored (out x in); the window being
  square, its orientation does not matter.
* ESD: squared singular values of each window, not divided by its size (alpha does not
  depend on the scale), pooled and sorted.
* Fit: ``pl_fitting='median'``, ``xmin_pos=2``: xmin is the eigenvalue at index
  ``int(n / 2)`` of the sorted pooled ESD and alpha = 1 + n_tail / sum(log(tail / xmin))
  over it and every eigenvalue above (:func:`simbias.analysis.esd.hill_alpha`).
* Conv2d (``tempbalance_farms.py``, ``net_esd_estimator``): each kh x kw slice is
  oriented tall (rows >= cols = c); the slices are cut along their rows into
  ``rows // c`` square c x c divisions; the d-th divisions of all slices are pooled into
  one ESD, alpha is fitted on each division's ESD and the layer's alpha is the mean over
  divisions (:func:`farms_conv_alpha`). Their ``conv_norm=0.5`` rescaling is skipped: it
  does not change alpha.

Where we depart from their code: a matrix with a side under 100 gets square windows of
its shorter side s (the same grid, with s for 100), so every window keeps the aspect
ratio 1 that is FARMS's point; their slice ``[L - 100 : L]`` with a negative start there
takes the whole of a side L <= 50, and only the last 100 - L rows of a side between 50
and 100. And eigenvalues at or below 1e-5 are dropped before the fit (WeightWatcher's
threshold; their ``filter_zeros=True``, not their default), which only matters for a
rank-deficient window.

The control, :func:`single_block_alpha`: one fixed s x s block (the top-left), the same
Hill fit, no pooling. On an i.i.d. matrix every FARMS window has the law of that block,
so both are free of aspect-ratio bias by construction; what FARMS adds is the use of the
rest of the matrix, i.e. a smaller draw-to-draw spread as Q grows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from simbias.analysis.esd import MIN_EVALS, _tall, hill_alpha

#: Window side: FARMS's ``num_row_samples=100`` with ``Q_ratio=1.0`` (a square window),
#: farms_imagecls_main.txt (every FARMS run of the paper's image-classification table).
FARMS_WINDOW = 100
#: Window starts per dimension: FARMS's ``sampling_ops_per_dim=9`` (same file).
FARMS_WINDOWS_PER_DIM = 9


def window_side(w: np.ndarray) -> int:
    """Side of the square FARMS windows of W: 100, or W's shorter side if that is less."""
    return min(FARMS_WINDOW, *np.shape(w))


def window_starts(length: int, side: int, per_dim: int = FARMS_WINDOWS_PER_DIM) -> list[int]:
    """Distinct starts of the windows of ``side`` along a dimension of ``length``, on
    FARMS's fixed grid (``fixed_sampling``): step max(1, (length - side) // (per_dim - 1)),
    at most ``per_dim`` starts, the last clipped to ``length - side``."""
    if not 1 <= side <= length:
        raise ValueError(f"no window of side {side} in a dimension of {length}")
    slack = length - side
    step = max(1, slack // (per_dim - 1)) if per_dim > 1 else 1
    count = min(per_dim, slack // step + 1)
    return sorted({min(i * step, slack) for i in range(count)})


def farms_windows(w: np.ndarray) -> list[np.ndarray]:
    """FARMS's windows of a 2-D matrix W (as stored): every row start with every column
    start of :func:`window_starts`, each a :func:`window_side` square block."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {w.shape}")
    side = window_side(w)
    rows, cols = (window_starts(length, side) for length in w.shape)
    return [w[r : r + side, c : c + side] for r in rows for c in cols]


def _squared_singular_values(blocks: Sequence[np.ndarray]) -> np.ndarray:
    """Sorted squared singular values of equally shaped blocks, pooled (one batched SVD,
    on one BLAS thread: blocks of 100 x 100 gain nothing from more, and on a loaded
    machine lose a factor of 10 or more to their contention)."""
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    stacked = np.stack([np.asarray(b, dtype=np.float64) for b in blocks])
    with threadpool_limits(limits=1, user_api="blas"):
        singular = np.linalg.svd(stacked, compute_uv=False)
    return np.sort((singular**2).ravel())


def farms_esd(w: np.ndarray) -> np.ndarray:
    """The pooled ESD of FARMS's windows of W: their squared singular values, ascending."""
    return _squared_singular_values(farms_windows(w))


def _enough(w: np.ndarray) -> bool:
    """Whether W's windows (of its shorter side at most) hold MIN_EVALS eigenvalues each."""
    return min(np.shape(w)) >= MIN_EVALS


def farms_alpha(w: np.ndarray) -> float:
    """FARMS alpha of a 2-D matrix: :func:`hill_alpha` of :func:`farms_esd`, fitted once on
    the pooled ESD (NaN if W's shorter side is under MIN_EVALS)."""
    return hill_alpha(farms_esd(w)) if _enough(w) else math.nan


def farms_conv_alpha(slices: Sequence[np.ndarray]) -> float:
    """FARMS alpha of a Conv2d layer from its kh*kw slices (out x in): each slice oriented
    tall (c = its shorter side), division d = rows [d*c, (d+1)*c) of every slice, pooled;
    the mean over divisions of each division's :func:`hill_alpha`, as FARMS's
    ``net_esd_estimator`` (``Q_ratio=1``)."""
    tall = [_tall(s) for s in slices]
    rows, cols = tall[0].shape
    if cols < MIN_EVALS:
        return math.nan
    alphas = [
        hill_alpha(_squared_singular_values([s[d * cols : (d + 1) * cols, :cols] for s in tall]))
        for d in range(rows // cols)
    ]
    return float(np.mean(alphas))


def single_block_esd(w: np.ndarray) -> np.ndarray:
    """The control's ESD: the squared singular values of W's top-left
    :func:`window_side` square block alone."""
    side = window_side(w)
    return _squared_singular_values([np.asarray(w)[:side, :side]])


def single_block_alpha(w: np.ndarray) -> float:
    """The control: :func:`hill_alpha` of one fixed block (:func:`single_block_esd`), no
    pooling (NaN if W's shorter side is under MIN_EVALS). Same window, same fit as
    :func:`farms_alpha`; only the other 80 windows are missing."""
    return hill_alpha(single_block_esd(w)) if _enough(w) else math.nan


def single_block_conv_alpha(slices: Sequence[np.ndarray]) -> float:
    """The control of a Conv2d layer: FARMS's first division alone (the top c x c block of
    every slice, pooled), no mean over divisions."""
    tall = [_tall(s) for s in slices]
    cols = tall[0].shape[1]
    if cols < MIN_EVALS:
        return math.nan
    return hill_alpha(_squared_singular_values([s[:cols, :cols] for s in tall]))
