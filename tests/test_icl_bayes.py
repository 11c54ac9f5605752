"""ICL baselines (issue 17): the Fourier-mixture Bayes predictor against a Monte-Carlo
posterior, least squares / ridge, and the DFT simplicity-bias readout."""

from __future__ import annotations

import torch

from simbias.analysis.icl_baselines import (
    fourier_grid,
    fourier_mixture_bayes,
    fourier_mixture_posterior,
    fourier_ridge,
    frequency_power,
    least_squares,
    power_above,
    prefix_predictions,
    ridge,
)
from simbias.data.icl_tasks import (
    fourier_features,
    fourier_series_mixture,
    fourier_series_values,
    linear_regression,
)

F64 = torch.float64


def _monte_carlo(x, y, xq, n_freq, noise_var, samples, gen):
    """Self-normalised importance sampling from the prior: draw M and coefficients, weight each
    function by its Gaussian likelihood of the context, average its values at the queries."""
    m = torch.randint(1, n_freq + 1, (samples,), generator=gen)
    keep = (torch.arange(1, n_freq + 1)[None] <= m[:, None]).to(F64)
    coefs = torch.randn(samples, 2 * n_freq, generator=gen, dtype=F64)
    coefs = coefs * torch.cat([keep, keep], 1) / m[:, None].to(F64).sqrt()
    f_ctx = coefs @ fourier_features(x, n_freq)[:, 1:].T
    f_q = coefs @ fourier_features(xq, n_freq)[:, 1:].T
    w = torch.softmax(-0.5 * ((f_ctx - y) ** 2).sum(1) / noise_var, 0)
    p_m = torch.zeros(n_freq, dtype=F64).index_add_(0, m - 1, w)
    return w @ f_q, p_m, 1 / (w**2).sum()


def test_bayes_predictor_matches_a_monte_carlo_posterior():
    n_freq, noise_var = 3, 0.1
    gen = torch.Generator().manual_seed(0)
    p = fourier_series_mixture(11, batch=6, points=3, max_frequency=n_freq, dtype=F64)
    ys = p.ys + 0.2 * torch.randn(p.ys.shape, generator=gen, dtype=F64)
    xq = torch.linspace(-5, 5, 9, dtype=F64)
    queries = xq[None, :, None].expand(6, -1, -1)
    prior = dict(max_frequency=n_freq, noise_var=noise_var)
    bayes, posterior = fourier_mixture_posterior(p.xs, ys, queries, **prior)
    # Wrong predictors: no model averaging (all N frequencies at once, as a GP or as ridge).
    all_n, _ = fourier_mixture_posterior(p.xs, ys, queries, min_frequency=n_freq, **prior)
    ridge_n = fourier_ridge(p.xs, ys, queries, lam=noise_var * n_freq, max_frequency=n_freq)
    checked, worst_wrong = 0, 0.0
    for b in range(6):
        mc, p_m, ess = _monte_carlo(p.xs[b, :, 0], ys[b], xq, n_freq, noise_var, 300_000, gen)
        if ess < 2000:  # too few effective samples for a tight check
            continue
        checked += 1
        assert (bayes[b] - mc).abs().max() < 0.05
        assert (posterior[b] - p_m).abs().max() < 0.03
        worst_wrong = max(worst_wrong, (all_n[b] - mc).abs().max(), (ridge_n[b] - mc).abs().max())
    assert checked >= 4
    assert worst_wrong > 0.25  # the tolerance above separates the right predictor


def test_noise_free_posterior_finds_the_true_max_frequency():
    p = fourier_series_mixture(21, batch=200, points=43, dtype=F64)
    grid = fourier_grid()[None].expand(200, -1)
    truth = fourier_series_values(grid, p.cos_coefs, p.sin_coefs)
    mean, posterior = fourier_mixture_posterior(p.xs, p.ys, grid[..., None])
    assert torch.equal(posterior.argmax(-1) + 1, p.max_frequency)
    assert (mean - truth).abs().max() < 1e-2
    assert torch.allclose(posterior.sum(-1), torch.ones(200, dtype=F64))


def test_bayes_prefers_the_simplest_fit_where_ridge_over_all_frequencies_does_not():
    p = fourier_series_mixture(21, batch=200, points=12, dtype=F64)
    low = p.max_frequency <= 3  # 12 points pin down M <= 3 but not all 21 features of N = 10
    xs, ys, m = p.xs[low], p.ys[low], p.max_frequency[low]
    grid = fourier_grid(endpoint=False)[None].expand(len(m), -1)
    truth = fourier_series_values(grid, p.cos_coefs[low], p.sin_coefs[low])
    bayes = fourier_mixture_bayes(xs, ys, grid[..., None])
    lsq = fourier_ridge(xs, ys, grid[..., None])
    assert (bayes - truth).abs().max() < 1e-3
    assert (lsq - truth).abs().amax(-1).min() > 0.1
    assert power_above(frequency_power(bayes), m).max() < 1e-6
    assert power_above(frequency_power(lsq), m).min() > 0.01


def test_power_share_recovers_a_planted_frequency():
    exact = fourier_grid(40, endpoint=False)
    for f in (1, 4, 9):
        values = 0.3 * torch.cos(torch.pi * f * exact / 5) - 1.2 * torch.sin(
            torch.pi * f * exact / 5
        )
        power = frequency_power(values + 2.0)  # the constant is not a frequency
        assert power.shape == (19,)
        assert abs(power[f - 1].item() - 1) < 1e-12
        assert power_above(power, f - 1).item() > 1 - 1e-12
        assert power_above(power, f).item() < 1e-12
    # Their grid, linspace(-L, L, 40), leaks a little but still peaks at the planted frequency.
    theirs = fourier_grid()
    assert theirs[0] == -5 and theirs[-1] == 5 and len(theirs) == 40
    for f in range(1, 11):
        power = frequency_power(torch.cos(torch.pi * f * theirs / 5))
        assert power.argmax().item() + 1 == f and power_above(power, f) < 0.15
    # Batched, with a per-row max frequency.
    two = torch.stack([torch.cos(torch.pi * 2 * exact / 5), torch.cos(torch.pi * 6 * exact / 5)])
    shares = power_above(frequency_power(two), torch.tensor([3, 3]))
    assert shares[0] < 1e-12 and shares[1] > 1 - 1e-12


def test_least_squares_and_ridge():
    p = linear_regression(0, batch=8, points=12, dim=5, dtype=F64)
    query = torch.randn(8, 3, 5, dtype=F64, generator=torch.Generator().manual_seed(9))
    truth = (query @ p.weights[..., None])[..., 0]
    torch.testing.assert_close(least_squares(p.xs, p.ys, query), truth)
    torch.testing.assert_close(ridge(p.xs, p.ys, query, 1e-9), truth, rtol=1e-6, atol=1e-6)
    shrunk = ridge(p.xs, p.ys, query, 1e3)
    assert shrunk.abs().mean() < truth.abs().mean()
    # Underdetermined: the minimum-norm interpolant, which ridge approaches as lam -> 0.
    few_x, few_y = p.xs[:, :3], p.ys[:, :3]
    torch.testing.assert_close(least_squares(few_x, few_y, few_x), few_y)
    torch.testing.assert_close(
        ridge(few_x, few_y, query, 1e-10), least_squares(few_x, few_y, query), atol=1e-6, rtol=0
    )


def test_prefix_predictions_use_only_earlier_points():
    p = linear_regression(1, batch=4, points=9, dim=3, dtype=F64)
    curve = prefix_predictions(least_squares, p.xs, p.ys)
    assert curve.shape == (4, 9) and not curve[:, 0].any()
    # From d = 3 earlier points on, noise-free least squares is exact.
    torch.testing.assert_close(curve[:, 3:], p.ys[:, 3:])
    changed = p.ys.clone()
    changed[:, 5] += 10
    torch.testing.assert_close(
        prefix_predictions(least_squares, p.xs, changed)[:, :6], curve[:, :6]
    )
