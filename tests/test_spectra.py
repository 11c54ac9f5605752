"""Weight spectra: power-law alpha against known laws and WeightWatcher, and FARMS."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
import torch
from torch import nn

from simbias.analysis.esd import _clauset_fit, _powerlaw_fit, esd, fit_alpha, hill_alpha
from simbias.analysis.farms import farms_esd
from simbias.analysis.spectra import aspect_ratio_sweep, layer_matrices, weight_spectra


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


def test_farms_on_a_full_size_window_is_the_plain_esd():
    w = np.random.default_rng(0).normal(size=(50, 50))
    np.testing.assert_array_equal(farms_esd(w), esd(w))
    np.testing.assert_array_equal(farms_esd(w, generator=np.random.default_rng(1)), esd(w))
    tall = np.random.default_rng(1).normal(size=(40, 80))
    np.testing.assert_array_equal(farms_esd(tall, aspect_ratio=2.0), esd(tall))
    # A wider matrix pools several square windows' eigenvalues.
    assert len(farms_esd(tall, n_samples=4)) == 4 * 40


def test_plain_alpha_drifts_with_aspect_ratio_and_farms_alpha_does_not():
    sweep = aspect_ratio_sweep([(100, 100), (200, 100), (400, 100), (800, 100)], n_samples=4)
    assert list(sweep["aspect_ratio"]) == [1, 2, 4, 8]
    plain, farms = sweep["alpha_hill"].to_numpy(), sweep["farms_alpha_hill"].to_numpy()
    # Measured with seed 0: plain 2.2 -> 4.5 as N/M goes 1 -> 8; FARMS within 0.1.
    assert np.all(np.diff(plain) > 0) and np.ptp(plain) > 1.5
    assert np.ptp(farms) < 0.3 and np.ptp(farms) < np.ptp(plain) / 5
    assert sweep.loc[0, "alpha"] == sweep.loc[0, "farms_alpha"]  # square: the same ESD


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
    for (_, matrices), alpha in zip(layers, theirs, strict=True):
        pooled = np.concatenate([esd(w) for w in matrices])
        assert fit_alpha(pooled)["alpha"] == pytest.approx(alpha, rel=1e-6)


def test_weight_spectra_keys_and_small_layers():
    model = nn.Sequential(nn.Linear(20, 60), nn.ReLU(), nn.Linear(60, 2))
    result = weight_spectra(model)
    assert [name for name, _ in layer_matrices(model)] == ["0", "2"]
    assert result["layer0_aspect_ratio"] == 3.0
    assert math.isfinite(result["layer0_alpha"]) and math.isfinite(result["layer0_farms_alpha"])
    assert math.isnan(result["layer1_alpha"])  # 2 eigenvalues: no fit, as WeightWatcher
    assert result["mean_alpha"] == result["layer0_alpha"]
    assert all(isinstance(v, float) for v in result.values())
