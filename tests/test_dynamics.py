"""Training dynamics recorded during fit: what is recorded when, and a killed-and-resumed
run records exactly what an uninterrupted one does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.recorders.dynamics import DynamicsRecorder, DynamicsSettings
from simbias.train.sharpness import per_example_losses
from simbias.train.spec import TrainSpec


def data(n: int = 64) -> TensorData:
    generator = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 2
    x = torch.randn(n, 5, generator=generator) + (2.0 * y[:, None] - 1)
    return TensorData(x=x, y=y.long())


def mlp() -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model("mlp", {"width": 8, "depth": 1}, (5,), 2)


SPEC = TrainSpec(epochs=4, lr=0.2, batch_size=16, momentum=0.0, schedule="constant")


def record(tmp_path, settings: DynamicsSettings, stop: int | None = None, model=None):
    train = data()
    recorder = DynamicsRecorder(settings, train.x, train.y, seed=1)
    model = model or mlp()
    fit(model, train, SPEC, seed=1, run_dir=tmp_path, run_name="d", step_hook=recorder,
        stop_after_epoch=stop)  # fmt: skip
    return recorder, model


def test_records_losses_every_step_and_sharpness_on_schedule(tmp_path):
    settings = DynamicsSettings(every=2, track=10, sharpness_every=4, sharpness_iters=30)
    recorder, model = record(tmp_path, settings)
    arrays = recorder.arrays()
    assert arrays["steps"].tolist() == list(range(0, 17, 2))  # 4 epochs x 4 steps, and step 0
    assert arrays["losses"].shape == (9, 10) and len(set(arrays["tracked_index"])) == 10
    measured = np.isfinite(arrays["sharpness"])
    assert measured.tolist() == [s % 4 == 0 for s in arrays["steps"]]
    assert (arrays["sharpness"][measured] > 0).all() and (arrays["lr"] == 0.2).all()
    # The last record is the trained model's own per-example loss.
    train = data()
    final = per_example_losses(model, train.x[recorder.tracked], train.y[recorder.tracked])
    np.testing.assert_allclose(arrays["losses"][-1], final.numpy(), rtol=1e-6)
    assert final.mean() == pytest.approx(
        float(
            F.cross_entropy(
                model.eval()(train.x[recorder.tracked]), train.y[recorder.tracked]
            ).detach()
        ),
        rel=1e-5,
    )


def test_resumed_run_records_the_same_dynamics(tmp_path):
    settings = DynamicsSettings(every=1, sharpness_every=2, sharpness_iters=10)
    whole, _ = record(tmp_path / "whole", settings)
    record(tmp_path / "split", settings, stop=2)
    resumed, _ = record(tmp_path / "split", settings)
    for key, value in whole.arrays().items():
        np.testing.assert_array_equal(resumed.arrays()[key], value, err_msg=key)


def test_dynamics_settings_are_checked():
    with pytest.raises(ValueError, match="multiple of every"):
        DynamicsSettings(every=3, sharpness_every=4)
    with pytest.raises(ValueError, match="evry"):
        DynamicsSettings.from_dict({"evry": 1})
