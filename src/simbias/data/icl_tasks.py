"""Seeded prompt samplers for in-context regression (Panwar, Ahuja & Goyal, "In-Context Learning
through the Bayesian Prism"; code mdrpanwar/icl-bayesian-prism).

Each prompt is a fresh function drawn from a task prior, observed at random inputs: the
transformer must regress it in context. The Fourier-series *mixture* is the simplicity-bias
probe: its prior mixes function classes of increasing complexity (maximum frequency ``M``), so a
Bayes-optimal learner prefers the lowest ``M`` that explains the prompt and a trained model's
fit can be checked for spurious high-frequency power (``simbias.analysis.icl_baselines``).

Everything is drawn from one ``torch.Generator`` seeded by an int, in the order function, then
inputs, so a seed names a batch of prompts exactly. The drawn parameters come back with the
prompts, which lets tests and baselines know the ground truth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import torch
from torch import Tensor

# x ~ U[-5, 5]: icl-bayesian-prism src/conf/fourier_series*.yaml, data: uniform with
# data_kwargs {a: -5, b: 5} (src/samplers.py UniformSampler: (b - a) * U[0, 1) + a).
X_LOW, X_HIGH = -5.0, 5.0
# Half-period L = 5: src/conf/fourier_series*.yaml task_kwargs L: 5; basis cos(pi n x / L),
# sin(pi n x / L) (src/tasks.py FourierSeries.evaluate), so one period is [-L, L].
HALF_PERIOD = 5.0
# N = 10: src/conf/fourier_series*.yaml task_kwargs max_frequency: 10.
MAX_FREQUENCY = 10
# 43 points per Fourier prompt: src/conf/fourier_series_simpl.yaml curriculum points 43.
FOURIER_POINTS = 43
# Linear regression: d = 20 (src/conf/base.yaml n_dims 20), 41 points (end of the points
# curriculum in src/conf/linear_regression.yaml).
LINEAR_DIM = 20
LINEAR_POINTS = 41


@dataclass(frozen=True)
class IclPrompts:
    """A batch of regression prompts and the functions behind them.

    ``xs`` ``(batch, points, d)``, ``ys`` ``(batch, points)``; ``max_frequency`` ``(batch,)``
    (long) is each Fourier function's drawn ``M`` (``N`` for ``fourier_series``, ``None`` for
    linear regression). ``weights`` is ``w`` ``(batch, d)`` for linear regression; for Fourier
    tasks ``cos_coefs`` ``(batch, N + 1)`` (frequency 0 first) and ``sin_coefs`` ``(batch, N)``
    (frequency 1 first) are the coefficients after masking and standardisation, so that
    ``ys == fourier_series_values(xs, cos_coefs, sin_coefs, L)``.
    """

    xs: Tensor
    ys: Tensor
    max_frequency: Tensor | None = None
    weights: Tensor | None = None
    cos_coefs: Tensor | None = None
    sin_coefs: Tensor | None = None


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


def _uniform_xs(
    gen: torch.Generator, batch: int, points: int, dtype: torch.dtype, low: float, high: float
) -> Tensor:
    return (high - low) * torch.rand(batch, points, 1, generator=gen, dtype=dtype) + low


def linear_regression(
    seed: int,
    batch: int,
    points: int = LINEAR_POINTS,
    dim: int = LINEAR_DIM,
    scale: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> IclPrompts:
    """Dense linear regression, ``y = scale * <w, x>`` with ``w ~ N(0, I_d)`` and
    ``x ~ N(0, I_d)``, noise-free (src/tasks.py LinearRegression: w_b = randn(b, d, 1),
    evaluate = scale * xs @ w, scale 1; src/samplers.py GaussianSampler: randn)."""
    gen = _generator(seed)
    w = torch.randn(batch, dim, generator=gen, dtype=dtype)
    xs = torch.randn(batch, points, dim, generator=gen, dtype=dtype)
    ys = scale * torch.einsum("bpd,bd->bp", xs, w)
    return IclPrompts(xs=xs, ys=ys, weights=w)


def fourier_features(x: Tensor, max_frequency: int, half_period: float = HALF_PERIOD) -> Tensor:
    """``[cos(0), cos(pi x/L), ..., cos(pi N x/L), sin(pi x/L), ..., sin(pi N x/L)]``,
    ``(..., 2N + 1)`` for inputs ``x`` ``(...)``; the constant comes first, then the cosines
    and the sines by increasing frequency."""
    n = torch.arange(max_frequency + 1, dtype=x.dtype, device=x.device)
    angle = (math.pi / half_period) * x[..., None] * n
    return torch.cat([torch.cos(angle), torch.sin(angle[..., 1:])], dim=-1)


def fourier_series_values(
    x: Tensor, cos_coefs: Tensor, sin_coefs: Tensor, half_period: float = HALF_PERIOD
) -> Tensor:
    """``sum_n a_n cos(pi n x/L) + b_n sin(pi n x/L)`` at ``x`` ``(batch, points)`` or
    ``(batch, points, 1)``, for coefficients ``(batch, N + 1)`` and ``(batch, N)``."""
    if x.dim() == 3:
        x = x[..., 0]
    features = fourier_features(x, sin_coefs.shape[-1], half_period)
    coefs = torch.cat([cos_coefs, sin_coefs], dim=-1)
    return torch.einsum("bpf,bf->bp", features, coefs.to(features.dtype))


def fourier_series_mixture(
    seed: int,
    batch: int,
    points: int = FOURIER_POINTS,
    max_frequency: int = MAX_FREQUENCY,
    min_frequency: int = 1,
    half_period: float = HALF_PERIOD,
    standardize: bool = True,
    scale: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> IclPrompts:
    """Prompts of the ``fourier_series_mixture`` task (src/tasks.py class FourierSeries).

    Per prompt: ``M ~ U{min_frequency, ..., N}``; cosine and sine coefficients ``~ N(0, 1)`` for
    frequencies ``1 .. M``, zero above ``M``; *no constant term* (their basis starts at
    frequency 1); with ``standardize`` (True in src/conf/fourier_series_simpl.yaml) the sum is
    divided by ``sqrt(M - min_frequency + 1)``, i.e. the coefficients are ``N(0, 1/M)``.
    """
    gen = _generator(seed)
    m = torch.randint(min_frequency, max_frequency + 1, (batch,), generator=gen)
    a = torch.randn(batch, max_frequency, generator=gen, dtype=dtype)
    b = torch.randn(batch, max_frequency, generator=gen, dtype=dtype)
    xs = _uniform_xs(gen, batch, points, dtype, X_LOW, X_HIGH)
    # src/tasks.py FourierSeries masks frequencies n with n < 1 + M, i.e. keeps n <= M. The
    # min_frequency only shifts M's range (FourierSeries keeps every n <= M).
    keep = (torch.arange(1, max_frequency + 1)[None, :] <= m[:, None]).to(dtype)
    norm = torch.full((batch, 1), scale, dtype=dtype)
    if standardize:
        norm = norm / (m - min_frequency + 1).to(dtype).sqrt()[:, None]
    cos_coefs = torch.cat([torch.zeros(batch, 1, dtype=dtype), a * keep * norm], dim=1)
    sin_coefs = b * keep * norm
    ys = fourier_series_values(xs, cos_coefs, sin_coefs, half_period)
    return IclPrompts(xs=xs, ys=ys, max_frequency=m, cos_coefs=cos_coefs, sin_coefs=sin_coefs)


def fourier_series(
    seed: int,
    batch: int,
    points: int = FOURIER_POINTS,
    max_frequency: int = MAX_FREQUENCY,
    half_period: float = HALF_PERIOD,
    standardize: bool = True,
    scale: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> IclPrompts:
    """Prompts of the ``fourier_series`` task (src/tasks.py class FourierSeriesV2): every
    frequency up to ``N`` at once, cosines ``0 .. N`` (the constant included) and sines
    ``1 .. N``, coefficients ``N(0, 1)``; ``standardize`` (True in
    src/conf/fourier_series.yaml) divides the sum by ``sqrt(N)``."""
    gen = _generator(seed)
    coefs = torch.randn(batch, 2 * max_frequency + 1, generator=gen, dtype=dtype)
    xs = _uniform_xs(gen, batch, points, dtype, X_LOW, X_HIGH)
    norm = scale / math.sqrt(max_frequency) if standardize else scale
    cos_coefs = coefs[:, : max_frequency + 1] * norm
    sin_coefs = coefs[:, max_frequency + 1 :] * norm
    ys = fourier_series_values(xs, cos_coefs, sin_coefs, half_period)
    m = torch.full((batch,), max_frequency, dtype=torch.long)
    return IclPrompts(xs=xs, ys=ys, max_frequency=m, cos_coefs=cos_coefs, sin_coefs=sin_coefs)


#: The function classes a prompt stream may draw from (src/tasks.py get_task_sampler names).
TaskName = Literal["linear_regression", "fourier_series_mixture", "fourier_series"]
TASK_NAMES: tuple[str, ...] = get_args(TaskName)


def sample_prompts(
    task: str,
    seed: int,
    batch: int,
    points: int,
    *,
    dim: int = LINEAR_DIM,
    max_frequency: int = MAX_FREQUENCY,
    half_period: float = HALF_PERIOD,
    standardize: bool = True,
    dtype: torch.dtype = torch.float32,
) -> IclPrompts:
    """``batch`` prompts of ``points`` points of the function class ``task``, a new function
    per prompt, all drawn from ``seed``. ``dim`` is linear regression's; ``max_frequency``,
    ``half_period`` and ``standardize`` are the Fourier classes'."""
    if task == "linear_regression":
        return linear_regression(seed, batch, points, dim, dtype=dtype)
    fourier = {"fourier_series_mixture": fourier_series_mixture, "fourier_series": fourier_series}
    if task not in fourier:
        raise ValueError(f"unknown ICL task {task!r}; known: {list(TASK_NAMES)}")
    return fourier[task](
        seed, batch, points, max_frequency=max_frequency, half_period=half_period,
        standardize=standardize, dtype=dtype,
    )  # fmt: skip


def pack_prompts(xs: Tensor, ys: Tensor) -> Tensor:
    """Prompts as the regression transformer takes them (simbias.models.transformer
    PromptRegressor): ``(batch, points, d + 1)``, each row a point ``(x_i, y_i)``."""
    return torch.cat([xs, ys[..., None].to(xs.dtype)], dim=-1)
