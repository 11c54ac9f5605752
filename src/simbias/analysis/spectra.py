"""Heavy-tailed weight spectra of a network's layers, and of random matrices by aspect
ratio. Four alphas (:mod:`simbias.analysis.esd`, :mod:`simbias.analysis.farms`):

* ``alpha``: WeightWatcher's power-law fit, xmin chosen by the KS distance, on the plain
  ESD. A plain measurement, not FARMS's: on a spectrum that is not a power law (a random
  matrix's Marchenko-Pastur bulk) its xmin lands on a handful of top eigenvalues and alpha
  is noise (5 to 10 on Gaussian matrices, in no order).
* ``alpha_hill``: Hill's estimator with xmin at the median eigenvalue (FARMS's fit) on the
  plain ESD of the whole matrix: the estimate whose aspect-ratio bias FARMS removes.
* ``farms_alpha``: FARMS (Hu et al. 2025): the same fit once on the pooled ESD of 100 x 100
  windows, 9 per dimension.
* ``single_block_alpha``: the control, the same fit on one fixed 100 x 100 block.

Layers: ``nn.Linear`` weights as they are; an ``nn.Conv2d`` weight (out, in, kh, kw) is
cut into its kh*kw slices ``W[:, :, i, j]`` (out x in): the plain ESD pools their
eigenvalues, as WeightWatcher does, and FARMS takes square divisions of them
(:func:`simbias.analysis.farms.farms_conv_alpha`).

Random matrices (:func:`aspect_ratio_sweep`): i.i.d. Gaussian entries (a Marchenko-Pastur
ESD, no power law: FARMS's case of aspect-ratio bias), and symmetric Pareto entries with
P(|w| > x) = x^-mu, mu = 1, whose ESD has the power-law tail rho(lambda) ~ lambda^-(1 + mu/2)
for every aspect ratio (0 < mu < 2, the "very heavy-tailed" Levy class in the table of
heavy-tailed universality classes of Martin & Mahoney 2021, JMLR 22(165)): a planted alpha
of 1.5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from torch import nn

from simbias.analysis.esd import esd, fit_alpha, hill_alpha
from simbias.analysis.farms import (
    farms_alpha,
    farms_conv_alpha,
    single_block_alpha,
    single_block_conv_alpha,
)


def plain_alpha(w: np.ndarray) -> float:
    """Hill alpha (xmin at the median) of W's own ESD, all of it: the biased estimate."""
    return hill_alpha(esd(w))


#: The three Hill estimates of a matrix's alpha compared by aspect ratio.
ESTIMATORS: dict[str, Callable[[np.ndarray], float]] = {
    "alpha_hill": plain_alpha,
    "farms_alpha": farms_alpha,
    "single_block_alpha": single_block_alpha,
}
#: Per-layer metrics of :func:`weight_spectra`: WeightWatcher's KS fit and ESTIMATORS.
LAYER_METRICS = ("alpha", *ESTIMATORS)
#: Measures of :func:`sweep_summary` per matrix kind and aspect ratio: each estimator's
#: mean over the draws, then its standard deviation over them (``_sd``).
SPECTRUM_METRICS = (*ESTIMATORS, *(f"{name}_sd" for name in ESTIMATORS))

#: Tail index mu of the planted-tail matrices' entries: P(|w| > x) = x^-mu, x >= 1.
PLANTED_MU = 1.0
#: The random matrices of the sweep: Gaussian, and Pareto entries of tail index mu.
MATRIX_KINDS = ("gauss", "pareto")


def planted_alpha(mu: float = PLANTED_MU) -> float:
    """ESD tail exponent of a matrix with i.i.d. entries of tail index 0 < mu < 2:
    1 + mu / 2 at every aspect ratio (Martin & Mahoney 2021, the "very heavy-tailed" Levy
    class: the top eigenvalues follow the largest squared entries, whose tail index is
    mu / 2, so their density falls as lambda^-(1 + mu/2))."""
    if not 0 < mu < 2:
        raise ValueError(f"the ESD tail exponent is 1 + mu/2 only for 0 < mu < 2, got {mu!r}")
    return 1 + mu / 2


def random_matrix(
    kind: str, shape: tuple[int, int], rng: np.random.Generator, mu: float = PLANTED_MU
) -> np.ndarray:
    """An i.i.d. matrix: ``gauss`` standard normal entries, or ``pareto`` entries
    sign * U^(-1/mu) (U uniform on (0, 1], a random sign): P(|w| > x) = x^-mu for x >= 1."""
    if kind == "gauss":
        return rng.standard_normal(shape)
    if kind == "pareto":
        magnitude = (1 - rng.random(shape)) ** (-1 / mu)
        return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)
    raise ValueError(f"unknown matrix kind {kind!r}; expected one of {MATRIX_KINDS}")


class Layer(NamedTuple):
    """A Linear or Conv2d layer: its module name, its 2-D matrices (one for Linear, the
    kh*kw slices for Conv2d), and whether it is a Conv2d."""

    name: str
    matrices: list[np.ndarray]
    conv: bool


def layer_matrices(model: nn.Module) -> list[Layer]:
    """Every Linear and Conv2d layer, in ``named_modules`` order: one matrix for Linear,
    the kh*kw slices for Conv2d."""
    layers = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            layers.append(Layer(name, [module.weight.detach().cpu().double().numpy()], False))
        elif isinstance(module, nn.Conv2d):
            w = module.weight.detach().cpu().double().numpy()
            slices = [w[:, :, i, j] for i in range(w.shape[2]) for j in range(w.shape[3])]
            layers.append(Layer(name, slices, True))
    return layers


def layer_alphas(layer: Layer) -> dict[str, float]:
    """The LAYER_METRICS of one layer: ``alpha`` (WeightWatcher's KS fit) and
    ``alpha_hill`` on the plain ESD (a Conv2d's slices pooled), ``farms_alpha`` and
    ``single_block_alpha`` (Conv2d: FARMS's divisions, and its first division alone)."""
    plain = np.sort(np.concatenate([esd(w) for w in layer.matrices]))
    if layer.conv:
        farms = farms_conv_alpha(layer.matrices)
        single = single_block_conv_alpha(layer.matrices)
    else:
        farms = farms_alpha(layer.matrices[0])
        single = single_block_alpha(layer.matrices[0])
    return {
        "alpha": fit_alpha(plain)["alpha"],
        "alpha_hill": hill_alpha(plain),
        "farms_alpha": farms,
        "single_block_alpha": single,
    }


def weight_spectra(model: nn.Module) -> dict[str, float]:
    """Per layer i (Linear and Conv2d, in module order): ``layer{i}_{metric}`` for the
    LAYER_METRICS (:func:`layer_alphas`) and ``layer{i}_aspect_ratio`` (N/M >= 1); plus
    ``mean_`` + each metric over the layers with a value (NaN where a layer has too few
    eigenvalues, e.g. a 2-class output layer)."""
    result: dict[str, float] = {}
    per_metric: dict[str, list[float]] = {m: [] for m in LAYER_METRICS}
    for i, layer in enumerate(layer_matrices(model)):
        for metric, value in layer_alphas(layer).items():
            result[f"layer{i}_{metric}"] = float(value)
            per_metric[metric].append(value)
        n, m = sorted(layer.matrices[0].shape, reverse=True)
        result[f"layer{i}_aspect_ratio"] = n / m
    for metric, values in per_metric.items():
        result[f"mean_{metric}"] = _nanmean(values)
    return result


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def aspect_ratio_sweep(
    shapes: list[tuple[int, int]], seed: int = 0, draws: int = 1, mu: float = PLANTED_MU
) -> pd.DataFrame:
    """The ESTIMATORS on ``draws`` fresh i.i.d. matrices of every MATRIX_KINDS kind and
    shape, all drawn from ``seed``: one row per kind, shape and draw, with columns kind,
    shape, aspect_ratio (N/M >= 1), draw and one per estimator."""
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    rng = np.random.default_rng(seed)
    rows = []
    # One BLAS thread: the SVDs are of 100 x 100 blocks, which threads only slow down (16
    # draws: 0.9 s on one thread, 19 s on two of a loaded 2-core machine, measured).
    with threadpool_limits(limits=1, user_api="blas"):
        for kind in MATRIX_KINDS:
            for shape in shapes:
                n, m = sorted(shape, reverse=True)
                for draw in range(draws):
                    w = random_matrix(kind, shape, rng, mu)
                    row = {"kind": kind, "shape": f"{shape[0]}x{shape[1]}"}
                    row.update(aspect_ratio=n / m, draw=draw)
                    row.update({name: estimate(w) for name, estimate in ESTIMATORS.items()})
                    rows.append(row)
    return pd.DataFrame(rows, columns=["kind", "shape", "aspect_ratio", "draw", *ESTIMATORS])


def sweep_summary(sweep: pd.DataFrame) -> dict[str, float]:
    """``{kind}_q{Q}_{metric}`` for each kind, aspect ratio Q (rounded) and SPECTRUM_METRICS
    of an :func:`aspect_ratio_sweep`: each estimator's mean over the draws and, as
    ``{estimator}_sd``, its standard deviation over them (ddof=1; NaN with one draw)."""
    result: dict[str, float] = {}
    for (kind, q), group in sweep.groupby(["kind", "aspect_ratio"], sort=False):
        for name in ESTIMATORS:
            values = group[name].to_numpy(dtype=float)
            result[f"{kind}_q{round(q)}_{name}"] = float(np.mean(values))
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
            result[f"{kind}_q{round(q)}_{name}_sd"] = sd
    return result
