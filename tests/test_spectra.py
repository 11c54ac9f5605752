"""Weight spectra: power-law alpha against known laws and WeightWatcher, and each layer's
four alphas (FARMS itself, its windows and its control: tests/test_farms.py)."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
import torch
from torch import nn

from simbias.analysis.esd import _clauset_fit, _powerlaw_fit, esd, fit_alpha, hill_alpha
from simbias.analysis.farms import farms_alpha, farms_conv_alpha, single_block_alpha
from simbias.analysis.spectra import LAYER_METRICS, layer_matrices, weight_spectra


def pareto(alpha: float, n: int, seed: int) -> np.ndarray:
    """Samples with density proportional to x^-alpha on [1, inf)."""
    return np.random.default_rng(seed).random(n) ** (-1 / (alpha - 1))


@pytest.mark.parametrize("alpha", [2.0, 3.0])
def test_alpha_of_a_power_law_is_recovered(alpha):
    samples = pareto(alpha, 3000, seed=int(alpha))
    # 3000 tail points: the MLE's standard error is (alpha - 1) / sqrt(n) <= 0.04.
    assert fit_alpha(samples)["alpha"] == pytest.approx(alpha, abs=0.1)
    assert hill_alpha(samples) == pytest.approx(alpha, abs=0.15)


def test_vectorised_fit_equals_powerlaw_fit():
    rng = np.random.default_rng(0)
    for samples in (np.sort(pareto(2.5, 400, seed=0)), esd(rng.normal(size=(300, 90)))):
        np.testing.assert_allclose(_clauset_fit(samples), _powerlaw_fit(samples), rtol=1e-9)


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(16, 32, 3),
        nn.Linear(64, 64),
        nn.Linear(64, 128),
        nn.Linear(256, 64),
        nn.Linear(100, 300),
    )


def test_alpha_matches_weightwatcher():
    # WeightWatcher 0.7.7's default analyze(): its own KS power-law fitter on the squared
    # singular values (conv: the 3x3 slices pooled, scaled by 1/2, which leaves alpha).
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import weightwatcher

        details = weightwatcher.WeightWatcher(model=_model()).analyze()
    theirs = details["alpha"].to_numpy()
    layers = layer_matrices(_model())
    assert len(theirs) == len(layers) == 5
    for layer, alpha in zip(layers, theirs, strict=True):
        pooled = np.concatenate([esd(w) for w in layer.matrices])
        assert fit_alpha(pooled)["alpha"] == pytest.approx(alpha, rel=1e-6)


def test_weight_spectra_keys_and_small_layers():
    model = nn.Sequential(nn.Linear(20, 60), nn.ReLU(), nn.Linear(60, 2))
    result = weight_spectra(model)
    assert [layer.name for layer in layer_matrices(model)] == ["0", "2"]
    assert result["layer0_aspect_ratio"] == 3.0
    for metric in LAYER_METRICS:
        assert math.isfinite(result[f"layer0_{metric}"]), metric
        assert math.isnan(result[f"layer1_{metric}"]), metric  # 2 eigenvalues: no fit
        assert result[f"mean_{metric}"] == result[f"layer0_{metric}"]
    assert all(isinstance(v, float) for v in result.values())


def test_weight_spectra_measures_each_layer_with_farms_and_its_control():
    model = _model()
    result = weight_spectra(model)
    layers = layer_matrices(model)
    assert [layer.conv for layer in layers] == [True, False, False, False, False]
    conv = layers[0].matrices  # 9 slices of 32 x 16: FARMS's two 16 x 16 divisions
    assert result["layer0_farms_alpha"] == pytest.approx(farms_conv_alpha(conv))
    w = layers[4].matrices[0]  # 300 x 100: 9 windows of 100 x 100 down the rows
    assert result["layer4_farms_alpha"] == pytest.approx(farms_alpha(w))
    assert result["layer4_single_block_alpha"] == pytest.approx(single_block_alpha(w))
    assert result["layer4_alpha_hill"] == pytest.approx(hill_alpha(esd(w)))
    # The layers' three Hill estimates differ where the layer is not one window.
    assert result["layer4_farms_alpha"] != pytest.approx(result["layer4_alpha_hill"])
    assert result["layer4_farms_alpha"] != pytest.approx(result["layer4_single_block_alpha"])
