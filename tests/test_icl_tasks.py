"""In-context regression prompt samplers (issue 17; Panwar et al.'s tasks.py)."""

from __future__ import annotations

import pytest
import torch

from simbias.analysis.icl_baselines import fourier_grid, frequency_power, power_above
from simbias.data.icl_tasks import (
    fourier_features,
    fourier_series,
    fourier_series_mixture,
    fourier_series_values,
    linear_regression,
)

SAMPLERS = [
    lambda seed: linear_regression(seed, batch=4, points=7, dim=5),
    lambda seed: fourier_series_mixture(seed, batch=4, points=9),
    lambda seed: fourier_series(seed, batch=4, points=9),
]


@pytest.mark.parametrize("sample", SAMPLERS, ids=["linear", "mixture", "fourier"])
def test_a_seed_names_the_prompts(sample):
    a, b, c = sample(3), sample(3), sample(4)
    for name in ("xs", "ys", "max_frequency", "weights", "cos_coefs", "sin_coefs"):
        first, again = getattr(a, name), getattr(b, name)
        assert (first is None and again is None) or torch.equal(first, again), name
    assert not torch.equal(a.xs, c.xs) and not torch.equal(a.ys, c.ys)


def test_linear_regression_is_noise_free_and_gaussian():
    p = linear_regression(0, batch=500, points=6, dim=4)
    assert p.xs.shape == (500, 6, 4) and p.ys.shape == (500, 6)
    torch.testing.assert_close(p.ys, (p.xs @ p.weights[..., None])[..., 0])
    assert abs(p.weights.std().item() - 1) < 0.05 and abs(p.xs.std().item() - 1) < 0.05


def test_fourier_features_order():
    x = torch.tensor([[0.7]])
    phi = fourier_features(x, 3, half_period=5.0)
    angle = torch.pi / 5 * 0.7 * torch.arange(4.0)
    expected = torch.cat([torch.cos(angle), torch.sin(angle[1:])])
    torch.testing.assert_close(phi[0, 0], expected)


def test_mixture_prompts_follow_the_prior():
    n = 10
    p = fourier_series_mixture(1, batch=3000, points=5, dtype=torch.float64)
    m = p.max_frequency
    assert p.xs.shape == (3000, 5, 1) and p.xs.min() >= -5 and p.xs.max() <= 5
    assert set(m.tolist()) == set(range(1, n + 1))
    assert not p.cos_coefs[:, 0].any()  # no constant term
    freqs = torch.arange(1, n + 1)
    above = freqs[None, :] > m[:, None]
    assert not p.cos_coefs[:, 1:][above].any() and not p.sin_coefs[above].any()
    # Standardised: coefficients up to M are N(0, 1/M).
    scaled = torch.cat([p.cos_coefs[:, 1:], p.sin_coefs], 1) * m[:, None].double().sqrt()
    kept = scaled[torch.cat([~above, ~above], 1)]
    assert abs(kept.var().item() - 1) < 0.05
    torch.testing.assert_close(p.ys, fourier_series_values(p.xs, p.cos_coefs, p.sin_coefs))


def test_mixture_functions_have_no_power_above_their_max_frequency():
    p = fourier_series_mixture(2, batch=64, points=3, dtype=torch.float64)
    grid = fourier_grid(40, endpoint=False)[None].expand(64, -1)
    power = frequency_power(fourier_series_values(grid, p.cos_coefs, p.sin_coefs))
    assert power.shape == (64, 19)
    assert power_above(power, p.max_frequency).max() < 1e-20
    # ... and their top frequency is present.
    at_m = power.gather(1, (p.max_frequency - 1)[:, None])[:, 0]
    assert (at_m > 1e-6).all()


def test_fourier_series_uses_every_frequency_and_the_constant():
    p = fourier_series(5, batch=2000, points=4, max_frequency=6, dtype=torch.float64)
    assert (p.max_frequency == 6).all()
    assert p.cos_coefs.shape == (2000, 7) and p.sin_coefs.shape == (2000, 6)
    coefs = torch.cat([p.cos_coefs, p.sin_coefs], 1)
    assert (coefs != 0).all()
    # Standardised by sqrt(N): variance 1/N for every coefficient, the constant included.
    assert torch.allclose(coefs.var(0) * 6, torch.ones(13, dtype=torch.float64), atol=0.12)
    torch.testing.assert_close(p.ys, fourier_series_values(p.xs, p.cos_coefs, p.sin_coefs))
