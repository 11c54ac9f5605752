"""In-context regression measured (Panwar, Ahuja & Goyal, "In-Context Learning through the
Bayesian Prism"; code mdrpanwar/icl-bayesian-prism): a trained transformer beside the
predictors a Bayesian would use, and beside itself before training.

Two measurements per run, each for four predictors -- ``trained`` (the trained transformer),
``untrained`` (the same network at its seed's initial weights: what pretraining added),
``bayes`` (the Bayes-optimal predictor of the prompts measured) and ``ridge`` (minimum-norm
least squares on every Fourier feature up to N, their "Fourier LSQ-Max"; for linear
regression, least squares):

* error against the number of in-context examples ``k``, on the dataset's held-out prompts
  (the run's own pretraining distribution): ``{predictor}_k{k}error``, the squared error of
  the prediction of point ``k`` from the ``k`` before it, averaged over prompts;
* the simplicity-bias readout of their src/fourier_series_mixture_inductive_bias.py (Fourier
  tasks only): functions of maximum frequency ``m`` from the mixture (M uniform in 1..m, as
  their FourierSeries(max_frequency=m) draws them), ``k`` of their 40 uniform inputs as the
  context, predictions on 40 points of ``linspace(-L, L, 40)``, the DFT of that fit, and the
  share of its normalised power above ``m``: ``{predictor}_m{m}k{k}power``, averaged over
  functions. The Bayes-optimal fit puts almost none there (what its grid leaks).

Functions are drawn from the run's seed, so the reference predictors vary over seeds as the
sample of functions does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from simbias.analysis.icl_baselines import (
    fourier_grid,
    fourier_mixture_bayes,
    fourier_ridge,
    frequency_power,
    least_squares,
    power_above,
    prefix_predictions,
)
from simbias.data.icl_tasks import fourier_series_mixture
from simbias.data.prompt_stream import PromptStream
from simbias.models.transformer import PromptRegressor, predict_in_context, predict_queries

PREDICTORS = ("trained", "untrained", "bayes", "ridge")
#: Inputs per function in the power measurement: their ``n = 40`` (the context is the first
#: k of them, their mode "interpolate"); the fit is read on as many grid points.
POWER_POINTS = 40
#: Separates the analysis's draws from every training stream (simbias.data.prompt_stream).
ANALYSIS_STREAM = 17

Predictor = Callable[[Tensor, Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class IclNetworks:
    """The trained network and the same network at its initial weights."""

    trained: PromptRegressor
    untrained: PromptRegressor


def reference_predictors(stream: PromptStream, prompts: str) -> dict[str, Predictor]:
    """``bayes`` and ``ridge`` for prompts of the Fourier mixture (``prompts="mixture"``) or
    of the stream's own task (``"own"``), in float64."""
    task = "fourier_series_mixture" if prompts == "mixture" else stream.task
    n, half = stream.max_frequency, stream.half_period
    if task == "linear_regression":  # w ~ N(0, I), noise-free: least squares is the mean
        return {"bayes": least_squares, "ridge": least_squares}

    def ridge(xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
        return fourier_ridge(xs, ys, queries, max_frequency=n, half_period=half)

    if task == "fourier_series_mixture":

        def bayes(xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
            return fourier_mixture_bayes(xs, ys, queries, max_frequency=n, half_period=half,
                                         standardize=stream.standardize)  # fmt: skip

    else:  # fourier_series: isotropic N(0, 1/N) on every feature, the constant included

        def bayes(xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
            return fourier_ridge(xs, ys, queries, max_frequency=n, half_period=half,
                                 constant=True)  # fmt: skip

    return {"bayes": bayes, "ridge": ridge}


@torch.no_grad()
def error_by_examples(
    networks: IclNetworks, stream: PromptStream, xs: Tensor, ys: Tensor
) -> dict[str, float]:
    """``{predictor}_k{k}error`` on held-out prompts ``xs`` ``(n, points, d)``, ``ys``."""
    device = next(networks.trained.parameters()).device
    on_device = xs.to(device), ys.to(device)
    predictions = {
        "trained": predict_in_context(networks.trained, *on_device).cpu(),
        "untrained": predict_in_context(networks.untrained, *on_device).cpu(),
    }
    for name, predictor in reference_predictors(stream, "own").items():
        predictions[name] = prefix_predictions(predictor, xs.double(), ys.double())
    result = {}
    for name, predicted in predictions.items():
        errors = (predicted.double() - ys.double()).square().mean(dim=0)
        result.update({f"{name}_k{k}error": float(e) for k, e in enumerate(errors)})
    return result


def functions_seed(seed: int, max_frequency: int) -> int:
    state = np.random.SeedSequence([ANALYSIS_STREAM, int(seed), int(max_frequency)])
    return int(state.generate_state(1)[0])


def network_predictor(network: PromptRegressor) -> Predictor:
    """A network as a predictor of queries from a context (float32, on its device)."""
    device = next(network.parameters()).device

    def predict(xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
        args = (t.to(device=device, dtype=torch.float32) for t in (xs, ys, queries))
        return predict_queries(network, *args).cpu()

    return predict


@torch.no_grad()
def power_by_examples(
    predictors: dict[str, Predictor],
    stream: PromptStream,
    seed: int,
    functions: int,
    max_examples: int,
) -> dict[str, float]:
    """``{predictor}_m{m}k{k}power`` for m = 1..N and k = 1..``max_examples``: each
    predictor fits ``functions`` mixture functions of maximum frequency m from their first k
    points (float64 in), and its fit on the grid is read by the DFT."""
    grid = fourier_grid(POWER_POINTS, stream.half_period)
    queries = grid[None, :, None].expand(functions, -1, -1)
    result = {}
    for m in range(1, stream.max_frequency + 1):
        drawn = fourier_series_mixture(
            functions_seed(seed, m), functions, POWER_POINTS, max_frequency=m,
            half_period=stream.half_period, standardize=stream.standardize, dtype=torch.float64,
        )  # fmt: skip
        for k in range(1, max_examples + 1):
            xs, ys = drawn.xs[:, :k], drawn.ys[:, :k]
            for name, predictor in predictors.items():
                share = power_above(frequency_power(predictor(xs, ys, queries)), m)
                result[f"{name}_m{m}k{k}power"] = float(share.mean())  # above their max_freq
    return result


def icl_regression_analysis(
    networks: IclNetworks,
    stream: PromptStream,
    held_out: tuple[Tensor, Tensor],
    seed: int,
    functions: int,
    max_examples: int | None,
) -> dict[str, Any]:
    """Both measurements of one run (the power readout for Fourier tasks only)."""
    for network in (networks.trained, networks.untrained):
        network.eval()
    xs, ys = held_out
    result = error_by_examples(networks, stream, xs, ys)
    if stream.task != "linear_regression":
        most = stream.points - 1 if max_examples is None else max_examples
        predictors = {
            "trained": network_predictor(networks.trained),
            "untrained": network_predictor(networks.untrained),
            **reference_predictors(stream, "mixture"),
        }
        result.update(power_by_examples(predictors, stream, seed, functions, most))
    return result
