"""Spectral bias (Rahaman et al. 2019) and Fourier features (Tancik et al. 2020): the
frequency readout, the data, the coordinate network, full-batch regression in the engine,
and the claims' criteria on null inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import seed_summary

from simbias.analysis.spectral_bias import half_amplitude_steps, learning_order, psnr
from simbias.data.base import get_generator
from simbias.models import build_model
from simbias.report.claims._base import Evidence
from simbias.report.claims.spectral_bias import (
    FourierFeaturesBeatNone,
    LargeScaleOverfits,
    LowFrequenciesLearnedFirst,
)
from simbias.train.engine import TensorData, fit
from simbias.train.recorders.fit_spectrum import sine_amplitudes, spectrum_probe
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds


def test_a_planted_sine_amplitude_is_recovered():
    t = np.arange(200) / 200
    values = 0.7 * np.sin(2 * np.pi * 15 * t + 1.3) + 0.2 * np.sin(2 * np.pi * 40 * t)
    amplitudes = sine_amplitudes(values, [5, 15, 40])
    np.testing.assert_allclose(amplitudes, [0.0, 0.7, 0.2], atol=1e-9)


def test_the_probe_reads_a_planted_sine_from_a_network_as_a_share_of_its_target():
    class Planted(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.unused = torch.nn.Linear(1, 1)  # the probe finds the device by a parameter

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return 0.3 * torch.sin(2 * torch.pi * 10 * x + 0.4)

    shares = spectrum_probe(200, [5, 10], [1.0, 0.6])(Planted())
    assert shares["share_5"] == pytest.approx(0.0, abs=1e-5)
    assert shares["share_10"] == pytest.approx(0.5, abs=1e-5)


def test_half_amplitude_steps_and_their_order():
    steps = np.array([100, 200, 300])
    shares = np.array([[0.6, 0.1, 0.0], [0.9, 0.5, 0.1], [1.0, 0.8, 0.3]])
    half = half_amplitude_steps(steps, shares)
    np.testing.assert_array_equal(half, [100, 200, np.inf])
    assert learning_order([5, 10, 15], half) == pytest.approx(1.0)
    assert learning_order([5, 10, 15], half[::-1]) == pytest.approx(-1.0)
    # Everything at once, or nothing at all: no order.
    assert learning_order([5, 10, 15], np.array([100.0, 100.0, 100.0])) == 0.0
    assert learning_order([5, 10, 15], np.full(3, np.inf)) == 0.0


def test_psnr_of_a_known_error():
    assert psnr(np.full(4, 0.1), np.zeros(4)) == pytest.approx(20.0)


def test_sum_of_sines_grid_targets_and_held_out_midpoints():
    dataset = get_generator(
        "sum_of_sines", {"points": 40, "frequencies": [2, 5], "amplitudes": "rising"}
    ).generate(seed=3)
    train, test = dataset.splits["train"], dataset.splits["test"]
    np.testing.assert_allclose(train.x[:, 0], np.arange(40) / 40)
    np.testing.assert_allclose(test.x[:, 0], (np.arange(40) + 0.5) / 40)
    assert dataset.regression_outputs == 1 and train.y.shape == (40, 1)
    amplitudes = sine_amplitudes(train.y[:, 0], [2, 5])
    np.testing.assert_allclose(amplitudes, dataset.params["amplitude_values"], atol=1e-5)
    with pytest.raises(ValueError, match="Nyquist"):
        get_generator("sum_of_sines", {"points": 20, "frequencies": [10]})


def test_image_regression_trains_on_every_second_pixel():
    dataset = get_generator("image_regression", {"size": 16}).generate(seed=0)
    train, test = dataset.splits["train"], dataset.splits["test"]
    assert train.x.shape == (64, 2) and test.x.shape == (192, 2)
    assert train.y.shape == (64, 3) and train.y.min() >= 0.0 and train.y.max() <= 1.0
    assert set(train.attributes["row"] % 2) == {0} and set(train.attributes["col"] % 2) == {0}


def test_coordinate_mlp_fourier_features_are_a_fixed_buffer():
    params = {"width": 8, "depth": 2, "mapping": "gaussian", "scale": 10.0, "features": 4}
    torch.manual_seed(0)
    model = build_model("coordinate_mlp", {**params, "output": "sigmoid"}, (2,), 3)
    assert model(torch.rand(5, 2)).shape == (5, 3)
    assert "0.B" in dict(model.named_buffers())
    assert "0.B" not in dict(model.named_parameters())
    torch.manual_seed(0)
    again = build_model("coordinate_mlp", params, (2,), 3)
    torch.testing.assert_close(again.state_dict()["0.B"], model.state_dict()["0.B"])


def _regression_set(n: int = 32) -> tuple[TensorData, TensorData]:
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(n, 1, generator=generator)
    y = torch.cat([torch.sin(6 * x), torch.cos(3 * x)], dim=1)
    return TensorData(x, y), TensorData(x + 0.01, y)


def test_full_batch_regression_epochs_of_several_steps(tmp_path):
    train, test = _regression_set()
    spec = TrainSpec(optimizer="adam", lr=0.01, batch_size="full", schedule="constant",
                     loss="regression_mse", epochs=3, steps_per_epoch=5)  # fmt: skip

    def build(seed: int) -> torch.nn.Module:
        return build_model("coordinate_mlp", {"width": 8, "depth": 2}, (1,), 2)

    torch.manual_seed(0)
    model = build(0)
    result = fit(model, train, spec, 0, tmp_path / "one", "one", eval_sets={"test": test})
    rows = result.history
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    assert {"train_loss", "test_loss"} <= set(rows[0]) and "train_accuracy" not in rows[0]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    (batched,) = fit_seeds(build, [0], train, spec, eval_sets={"test": test})
    for alone, together in zip(rows, batched.history, strict=True):
        assert together["train_loss"] == pytest.approx(alone["train_loss"], rel=1e-4)
        assert together["test_loss"] == pytest.approx(alone["test_loss"], rel=1e-4)
    with pytest.raises(ValueError, match="batch_size full"):
        fit(build(0), train, TrainSpec(batch_size=8, loss="regression_mse", steps_per_epoch=2),
            0, tmp_path / "two", "two")  # fmt: skip


SPEC = {"model": "m", "dataset": "d"}


def test_learned_first_fails_on_no_order_and_passes_on_order():
    null = {"order_rho": [0.3, -0.2, 0.1, -0.4, 0.2], "order_reached": [3] * 5,
            "order_steps": [2000] * 5}  # fmt: skip
    ordered = {**null, "order_rho": [0.9, 0.7, 0.8, 0.7, 0.75]}
    evidence = Evidence(summaries={"spectral_bias": pd.concat(
        [seed_summary("null", null), seed_summary("ordered", ordered)])})  # fmt: skip
    claim = LowFrequenciesLearnedFirst()
    assert not claim.rows(evidence, "null", SPEC)[0].claim_passed
    assert claim.rows(evidence, "ordered", SPEC)[0].claim_passed


def test_image_claims_fail_on_an_experiment_against_itself():
    psnrs = {"test_psnr": [20.1, 19.8, 20.3, 20.0, 19.9], "train_psnr": [30, 31, 29, 30, 30],
             "gap_psnr": [10, 11, 9, 10, 10]}  # fmt: skip
    evidence = Evidence(summaries={"image_fit": seed_summary("same", psnrs)})
    for claim in (FourierFeaturesBeatNone(), LargeScaleOverfits()):
        (row,) = claim.rows(evidence, "same", SPEC)
        assert not row.claim_passed, claim.name
