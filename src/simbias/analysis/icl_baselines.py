"""Reference predictors for in-context regression and the Fourier simplicity-bias measurement
(Panwar, Ahuja & Goyal, "In-Context Learning through the Bayesian Prism"; code
mdrpanwar/icl-bayesian-prism).

A transformer's in-context predictions mean little alone: the paper compares them with the
estimators a Bayesian would use. For dense linear regression that is least squares (ridge when
regularised). For the Fourier-series mixture it is the posterior-predictive mean that averages
over the unknown maximum frequency ``M`` -- the paper's claim is that the transformer tracks
it, and so prefers the simplest ``M`` that fits; their code has no such predictor, so it is
written here in closed form. The simplicity-bias readout of their
src/fourier_series_mixture_inductive_bias.py (the DFT of a predictor's outputs over one period,
and how much power sits above the true ``M``) is here too.

Predictors take context ``(batch, n, d)`` / ``(batch, n)`` and queries ``(batch, q, d)`` and
return ``(batch, q)``; :func:`prefix_predictions` turns any of them into the paper's per-prompt-
length error curve.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from simbias.data.icl_tasks import HALF_PERIOD, MAX_FREQUENCY, fourier_features

Predictor = Callable[[Tensor, Tensor, Tensor], Tensor]

# Variance of the Gaussian likelihood when the data are noise-free (the paper's prompts are):
# a jitter of sigma^2 = 1e-6 (sigma = 1e-3), far below the O(1) function values, keeps the
# kernel matrices invertible and makes any M that cannot interpolate the prompt lose by
# ~ residual^2 / 2e-6 nats.
NOISE_FREE_JITTER = 1e-6


def least_squares(xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
    """Minimum-norm least squares (src/models.py LeastSquaresModel: torch.linalg.lstsq per
    prefix); the pseudo-inverse gives the minimum-norm fit when ``n < d``."""
    w = torch.linalg.pinv(xs) @ ys[..., None]
    return (queries @ w)[..., 0]


def ridge(xs: Tensor, ys: Tensor, queries: Tensor, lam: float) -> Tensor:
    """Ridge regression, ``w = (X^T X + lam I)^{-1} X^T y`` (src/models.py class Ridge); with
    ``w ~ N(0, I)`` and noise variance ``lam`` it is the posterior mean."""
    if lam == 0:
        return least_squares(xs, ys, queries)
    n, d = xs.shape[-2:]
    xt = xs.transpose(-1, -2)
    if n < d:  # the same w in its n x n (dual) form, better conditioned when n < d
        eye = torch.eye(n, dtype=xs.dtype, device=xs.device)
        w = xt @ torch.linalg.solve(xs @ xt + lam * eye, ys[..., None])
    else:
        eye = torch.eye(d, dtype=xs.dtype, device=xs.device)
        w = torch.linalg.solve(xt @ xs + lam * eye, xt @ ys[..., None])
    return (queries @ w)[..., 0]


def prefix_predictions(predictor: Predictor, xs: Tensor, ys: Tensor) -> Tensor:
    """``(batch, points)``: point ``i`` predicted from points ``0 .. i-1``, zero for the first
    (src/models.py LeastSquaresModel "predict zero for first point") -- the quantity the
    transformer outputs at ``x_i``."""
    preds = [torch.zeros_like(ys[:, 0])]
    for i in range(1, ys.shape[1]):
        preds.append(predictor(xs[:, :i], ys[:, :i], xs[:, i : i + 1])[:, 0])
    return torch.stack(preds, dim=1)


def _scalar(x: Tensor) -> Tensor:
    return x[..., 0] if x.dim() == 3 else x


def _fourier_basis(x: Tensor, max_frequency: int, half_period: float, constant: bool) -> Tensor:
    features = fourier_features(_scalar(x), max_frequency, half_period)
    return features if constant else features[..., 1:]


def fourier_ridge(
    xs: Tensor,
    ys: Tensor,
    queries: Tensor,
    lam: float = 0.0,
    max_frequency: int = MAX_FREQUENCY,
    half_period: float = HALF_PERIOD,
    constant: bool = False,
) -> Tensor:
    """Ridge (``lam = 0``: minimum-norm least squares) on the Fourier features of *every*
    frequency up to ``N`` -- the paper's "Fourier LSQ-Max" baseline (src/
    fourier_series_mixture_inductive_bias.py: sklearn LinearRegression(fit_intercept=False) on
    sin and cos of frequencies 1..max_frequency, no constant). It ignores the mixture's
    preference for low ``M``."""
    phi = _fourier_basis(xs, max_frequency, half_period, constant)
    phi_q = _fourier_basis(queries, max_frequency, half_period, constant)
    return ridge(phi, ys, phi_q, lam)


def fourier_mixture_posterior(
    xs: Tensor,
    ys: Tensor,
    queries: Tensor,
    max_frequency: int = MAX_FREQUENCY,
    min_frequency: int = 1,
    half_period: float = HALF_PERIOD,
    standardize: bool = True,
    scale: float = 1.0,
    noise_var: float = NOISE_FREE_JITTER,
) -> tuple[Tensor, Tensor]:
    """Bayes-optimal prediction under the ``fourier_series_mixture`` prior
    (:func:`simbias.data.icl_tasks.fourier_series_mixture`).

    Given ``M``, ``f = Phi_M c`` with ``c ~ N(0, s_M^2 I)`` over the ``2M`` sines and cosines
    of frequencies 1..M (``s_M^2 = scale^2 / (M - min_frequency + 1)`` when standardised), so
    ``y ~ N(0, K_M)``, ``K_M = s_M^2 Phi_M Phi_M^T + noise_var I``: the marginal likelihood
    ``p(y | x, M)`` and the predictive mean ``s_M^2 Phi_M(x*) Phi_M^T K_M^{-1} y`` are closed
    form. With the uniform prior on M, ``p(M | data) ∝ p(y | x, M)`` and the prediction is the
    posterior-weighted average of the per-M means. Computed in float64.

    Returns the predictive mean ``(batch, q)`` and ``p(M | data)`` ``(batch, N - min + 1)``
    (column ``j`` is ``M = min_frequency + j``).
    """
    dtype = ys.dtype
    x, y, xq = _scalar(xs).double(), ys.double(), _scalar(queries).double()
    batch, n = y.shape
    phi_all = fourier_features(x, max_frequency, half_period)
    phiq_all = fourier_features(xq, max_frequency, half_period)
    log_evidence, means = [], []
    eye = torch.eye(n, dtype=torch.float64, device=y.device)
    for m in range(min_frequency, max_frequency + 1):
        cols = [*range(1, m + 1), *range(max_frequency + 1, max_frequency + m + 1)]
        phi, phiq = phi_all[..., cols], phiq_all[..., cols]
        var = scale**2 / (m - min_frequency + 1) if standardize else scale**2
        if n == 0:
            log_evidence.append(torch.zeros(batch, dtype=torch.float64, device=y.device))
            means.append(torch.zeros(xq.shape, dtype=torch.float64, device=y.device))
            continue
        k = var * phi @ phi.transpose(-1, -2) + noise_var * eye
        chol = torch.linalg.cholesky(k)
        alpha = torch.cholesky_solve(y[..., None], chol)  # K^{-1} y
        log_det = 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
        quad = (y[..., None] * alpha)[..., 0].sum(-1)
        log_evidence.append(-0.5 * (quad + log_det + n * math.log(2 * math.pi)))
        means.append(var * (phiq @ (phi.transpose(-1, -2) @ alpha))[..., 0])
    posterior = torch.softmax(torch.stack(log_evidence, dim=-1), dim=-1)
    mean = torch.einsum("bm,bmq->bq", posterior, torch.stack(means, dim=1))
    return mean.to(dtype), posterior.to(dtype)


def fourier_mixture_bayes(xs: Tensor, ys: Tensor, queries: Tensor, **prior: Any) -> Tensor:
    """The posterior-predictive mean of :func:`fourier_mixture_posterior`, as a predictor."""
    return fourier_mixture_posterior(xs, ys, queries, **prior)[0]


# --- The simplicity-bias measurement (src/fourier_series_mixture_inductive_bias.py) ---------

# n = 40 grid points: src/fourier_series_mixture_inductive_bias.py ``n = 40``.
GRID_POINTS = 40


def fourier_grid(
    points: int = GRID_POINTS, half_period: float = HALF_PERIOD, endpoint: bool = True
) -> Tensor:
    """Query points over one period ``[-L, L]``. Their script uses
    ``torch.linspace(-L, L, n)`` (``endpoint=True``), whose last point repeats the first one
    period on, so the DFT bins sit at ``n / (n - 1)`` times the true frequencies and a pure
    tone leaks into its neighbours; ``endpoint=False`` samples exactly one period."""
    if endpoint:
        return torch.linspace(-half_period, half_period, points, dtype=torch.float64)
    step = 2 * half_period / points
    return -half_period + step * torch.arange(points, dtype=torch.float64)


def frequency_power(values: Tensor) -> Tensor:
    """Normalised power per frequency ``1 .. ceil(n/2) - 1`` of outputs on the grid
    ``(..., n)``: the DFT scaled by ``1/n``, its positive frequencies (their script keeps
    ``fftshift(fft(y))[1 + n//2:]``, which drops the constant and, for even ``n``, the Nyquist
    bin), ``|c_k|^2`` divided by its sum over those frequencies."""
    n = values.shape[-1]
    spectrum = torch.fft.fft(values.double(), dim=-1) / n
    positive = spectrum[..., 1 : (n + 1) // 2]  # same bins as fftshift(...)[1 + n//2:]
    power = positive.real**2 + positive.imag**2
    return power / power.sum(-1, keepdim=True).clamp_min(torch.finfo(power.dtype).tiny)


def power_above(power: Tensor, max_frequency: Tensor | int) -> Tensor:
    """Share of the normalised power (:func:`frequency_power`) at frequencies above each
    prompt's true ``M`` -- zero for a predictor that adds no spurious complexity."""
    freqs = torch.arange(1, power.shape[-1] + 1, device=power.device)
    m = torch.as_tensor(max_frequency, device=power.device)
    above = freqs > m[..., None] if m.dim() else freqs > m
    return (power * above).sum(-1)
