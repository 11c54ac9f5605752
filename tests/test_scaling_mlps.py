"""Bachmann et al. 2023 (Scaling MLPs): the bottleneck MLP, Lion, the smoothed loss, the
compute probe, the power-law fit, and every claim criterion failing on a null input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch.nn import functional as F

from simbias.analysis.scaling_laws import family_of, fit_power_law, frontier, log_grid
from simbias.models.architectures.bottleneck_mlp import (
    BottleneckMlpParams,
    parameter_count,
    shape_name,
)
from simbias.models.registry import build_model
from simbias.report.claims import scaling_mlps as claims
from simbias.train.losses import mean_loss, per_example_loss
from simbias.train.optim import Lion
from simbias.train.recorders.training_compute import compute_probe, forward_flops


@pytest.mark.parametrize(("blocks", "width"), [(0, 8), (1, 16), (3, 32)])
def test_bottleneck_mlp_shapes_and_parameter_count(blocks, width):
    model = build_model("bottleneck_mlp", {"blocks": blocks, "width": width}, (1, 16, 16), 10)
    params = BottleneckMlpParams(blocks=blocks, width=width)
    assert sum(p.numel() for p in model.parameters()) == parameter_count(params, 256, 10)
    assert model(torch.zeros(7, 1, 16, 16)).shape == (7, 10)
    assert model.linear_in.weight.shape == (width, 256)
    for block in model.blocks:  # W1: w -> 4w, W2: 4w -> w, LayerNorm over w
        assert block.expand.weight.shape == (4 * width, width)
        assert block.project.weight.shape == (width, 4 * width)
        assert block.norm.normalized_shape == (width,)


def test_bottleneck_block_is_a_pre_norm_residual():
    torch.manual_seed(0)
    model = build_model("bottleneck_mlp", {"blocks": 1, "width": 4}, (3,), 2)
    block = model.blocks[0]
    x = torch.randn(5, 4)
    expected = x + block.project(
        F.gelu(block.expand(F.layer_norm(x, (4,), block.norm.weight, block.norm.bias)))
    )
    torch.testing.assert_close(block(x), expected)


def test_paper_shape_names_and_parameter_counts():
    assert shape_name(BottleneckMlpParams(blocks=6, width=512)) == "B_6-Wi_512"
    # [S]'s README: B_6-Wi_512 24M, B_12-Wi_1024 124M parameters, pre-trained at 64x64x3 on
    # ImageNet-21k as processed by Ridnik et al. 2021 (10,450 classes).
    small = parameter_count(BottleneckMlpParams(blocks=6, width=512), 64 * 64 * 3, 10450)
    large = parameter_count(BottleneckMlpParams(blocks=12, width=1024), 64 * 64 * 3, 10450)
    assert round(small / 1e6) == 24
    assert round(large / 1e6) == 124


def test_lion_follows_its_update_rule():
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(6))
    optimizer = Lion([w], lr=0.1, betas=(0.9, 0.99), weight_decay=0.5)
    weights, momentum = w.detach().clone(), torch.zeros(6)
    for _ in range(3):
        grad = torch.randn(6)
        w.grad = grad.clone()
        optimizer.step()
        weights = weights * (1 - 0.1 * 0.5)
        weights = weights - 0.1 * torch.sign(0.9 * momentum + 0.1 * grad)
        momentum = 0.99 * momentum + 0.01 * grad
        torch.testing.assert_close(w.detach(), weights)


def test_smoothed_cross_entropy_is_torchs_with_smoothing_03():
    logits, labels = torch.randn(5, 4), torch.tensor([0, 1, 2, 3, 0])
    expected = F.cross_entropy(logits, labels, label_smoothing=0.3)
    torch.testing.assert_close(mean_loss("smoothed_cross_entropy")(logits, labels), expected)
    per_example = per_example_loss("smoothed_cross_entropy")(logits, labels)
    torch.testing.assert_close(per_example.mean(), expected)


def test_compute_probe_counts_multiply_adds_as_fvcore():
    model = build_model("bottleneck_mlp", {"blocks": 2, "width": 8}, (1, 4, 4), 3)
    macs = 16 * 8 + 2 * (8 * 32 + 32 * 8) + 8 * 3  # every Linear's multiply-adds
    assert forward_flops(model, (1, 4, 4)) == macs
    row = compute_probe((1, 4, 4), n_train=100)(model)
    assert row == {"forward_flops": macs, "epoch_compute": 3 * macs * 100}


def test_frontier_is_the_running_minimum_by_compute():
    compute = np.array([10.0, 1.0, 100.0, 5.0])
    error = np.array([0.2, 0.5, 0.3, 0.4])
    got = frontier(compute, error, np.array([0.5, 1, 7, 50, 1000]))
    np.testing.assert_allclose(got, [np.nan, 0.5, 0.4, 0.2, 0.2])


def test_power_law_fit_recovers_a_known_exponent():
    budgets = log_grid(1e6, 1e9)
    rng = np.random.default_rng(0)
    error = 3.0 * budgets**-0.3 * np.exp(rng.normal(0, 0.01, budgets.shape))
    fit = fit_power_law(budgets, error)
    assert fit.exponent == pytest.approx(0.3, abs=0.01)
    assert fit.prefactor == pytest.approx(3.0, rel=0.1)
    assert fit.r_squared > 0.99 and fit.decades == pytest.approx(3.0)


def test_family_comes_from_the_experiment_name():
    assert family_of("mlp_scaling_x2_b2_w64") == "mlp"
    assert family_of("cnn_scaling") == "cnn"
    with pytest.raises(ValueError):
        family_of("pitfalls_lms5")


# --- every criterion fails on a null input ------------------------------------------------


def _power_law_frontiers(exponent: float, seeds: int = 5):
    budgets = log_grid(1e6, 1e9)
    rng = np.random.default_rng(1)
    noise = np.exp(rng.normal(0, 0.02, (seeds, len(budgets))))
    return budgets, 2.0 * budgets**-exponent * noise


def test_power_law_criterion_passes_a_power_law_and_fails_constant_error():
    budgets, frontiers = _power_law_frontiers(0.3)
    assert claims.power_law_verdict(frontiers, budgets)[0]
    flat = np.full_like(frontiers, 0.9)
    assert not claims.power_law_verdict(flat, budgets)[0]
    noisy = 0.5 + np.random.default_rng(2).normal(0, 0.01, frontiers.shape)
    assert not claims.power_law_verdict(noisy, budgets)[0]


def test_power_law_criterion_fails_under_1_5_decades():
    budgets = log_grid(1e6, 1e7)
    frontiers = np.stack([2.0 * budgets**-0.3] * 5)
    assert not claims.power_law_verdict(frontiers, budgets)[0]


def test_gap_criterion_fails_with_no_gap_and_passes_a_shrinking_one():
    budgets = log_grid(1e6, 1e8)
    rng = np.random.default_rng(3)
    cnn = 0.1 + rng.normal(0, 0.005, (5, len(budgets)))
    same = 0.1 + rng.normal(0, 0.005, (5, len(budgets)))
    assert not claims.gap_verdict(same, cnn, budgets, np.random.default_rng(0))[0]
    shrinking = cnn + np.linspace(0.2, 0.01, len(budgets))
    assert claims.gap_verdict(shrinking, cnn, budgets, np.random.default_rng(0))[0]
    constant_gap = cnn + 0.1
    assert not claims.gap_verdict(constant_gap, cnn, budgets, np.random.default_rng(0))[0]


def test_augmentation_criterion_fails_when_both_gain_alike():
    rng = np.random.default_rng(4)
    plain, aug = 0.10 + rng.normal(0, 0.003, 5), 0.08 + rng.normal(0, 0.003, 5)
    cnn_plain, cnn_aug = 0.05 + rng.normal(0, 0.003, 5), 0.03 + rng.normal(0, 0.003, 5)
    assert not claims.augment_verdict((plain, aug), (cnn_plain, cnn_aug),
                                      np.random.default_rng(0))[0]  # fmt: skip
    assert claims.augment_verdict((plain, aug - 0.03), (cnn_plain, cnn_aug),
                                  np.random.default_rng(0))[0]  # fmt: skip


def test_batch_criterion_fails_when_error_rises():
    rng = np.random.default_rng(5)
    small = 0.06 + rng.normal(0, 0.003, 5)
    assert not claims.batch_verdict(small, small + 0.05, np.random.default_rng(0))[0]
    assert claims.batch_verdict(small, small - 0.01, np.random.default_rng(0))[0]


def test_shuffled_compute_keeps_each_seeds_values():
    points = pd.DataFrame(
        {"seed": [0, 0, 0, 1, 1], "compute": [1.0, 2.0, 3.0, 4.0, 5.0], "error": [0.5] * 5}
    )
    shuffled = claims.shuffled_compute(points)
    for seed in (0, 1):
        assert sorted(shuffled[shuffled["seed"] == seed]["compute"]) == sorted(
            points[points["seed"] == seed]["compute"]
        )


def test_the_power_law_claim_judges_the_sweep_regime_an_experiment_names():
    """configs/paper.yaml's CIFAR-100 sweep trains lion_aug: the claim reads those runs, and
    none of the lion runs beside them."""
    from simbias.report.claims._base import Evidence
    from simbias.report.claims.scaling_mlps import MlpErrorPowerLaw

    rows = []
    for regime, exponent in (("lion_aug", 0.5), ("lion", 0.0)):
        for seed in range(5):
            for epoch in range(1, 41):
                rows.append({"experiment": "mlp_scaling_c100", "model": "mlp_b6_w512",
                             "dataset": "cifar100", "regime": regime, "seed": seed,
                             "epoch": epoch, "epoch_compute": 1e9,
                             "test_accuracy": 1 - 0.9 * epoch ** -exponent})  # fmt: skip
    evidence = Evidence(histories=pd.DataFrame(rows))
    spec = {"claim_regimes": ["lion_aug"]}
    (row,) = MlpErrorPowerLaw().rows(evidence, "mlp_scaling_c100", spec)
    assert row.regime == "lion_aug" and row.claim_passed
    (plain,) = MlpErrorPowerLaw().rows(evidence, "mlp_scaling_c100", {})
    assert plain.regime == "lion" and not plain.claim_passed  # constant error: no power law


def _sweep_history(experiment: str, dataset: str, regimes: tuple[str, ...]) -> pd.DataFrame:
    """Five seeds of 40 epochs per regime, error falling as epoch^-0.5."""
    model = "cnn_small" if experiment.startswith("cnn") else "mlp_b2_w64"
    return pd.DataFrame(
        [{"experiment": experiment, "model": model, "dataset": dataset, "regime": regime,
          "seed": seed, "epoch": epoch, "epoch_compute": 1e8,
          "test_accuracy": 1 - 0.9 * epoch**-0.5}
         for regime in regimes for seed in range(5) for epoch in range(1, 41)]
    )  # fmt: skip


def test_the_figure_draws_a_panel_per_sweep_each_in_its_own_regime():
    """The digits sweep in lion beside a lion_aug-only CIFAR-100 sweep (configs/paper.yaml):
    two error-against-compute panels, the anchor's lion_aug runs in neither."""
    from simbias.report.figures.mlp_scaling import mlp_scaling_figure, sweep_runs

    history = pd.concat([
        _sweep_history("mlp_scaling_b2_w64", "digits", ("lion", "lion_aug")),
        _sweep_history("cnn_scaling", "digits", ("lion",)),
        _sweep_history("mlp_scaling_c100_b6_w512", "cifar100", ("lion_aug",)),
    ])  # fmt: skip
    sweeps = sweep_runs(history)
    assert set(map(tuple, sweeps[["experiment", "regime"]].drop_duplicates().to_numpy())) == {
        ("mlp_scaling_b2_w64", "lion"), ("cnn_scaling", "lion"),
        ("mlp_scaling_c100_b6_w512", "lion_aug"),
    }  # fmt: skip
    fig = mlp_scaling_figure(history)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("digits, regime lion") and "cifar100, regime lion_aug" in titles[1]
    assert len(fig.axes) == 3  # two sweeps and the variants


def test_a_sweep_without_lion_in_several_regimes_is_refused():
    from simbias.report.figures.mlp_scaling import sweep_runs

    history = _sweep_history("mlp_scaling_c100_b6_w512", "cifar100", ("lion_aug", "lion_b64"))
    with pytest.raises(ValueError, match="mlp_scaling_c100_b6_w512.*which is its compute sweep"):
        sweep_runs(history)
