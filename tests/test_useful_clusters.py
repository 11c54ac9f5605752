"""USEFUL's clustering (Nguyen et al. 2024): k-means on each class's logits, and the random
control's retraining set as large (so as many gradient steps) as USEFUL's."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import image_run_spec, write_bright_dark_images
from torch import nn

from simbias.train import run as run_module
from simbias.train.engine import TensorData
from simbias.train.run import train_run
from simbias.train.useful import plan_upsampling


@pytest.fixture
def probe_and_data():
    """Two classes of 2-d points scored by a fixed linear probe, its logits far from 0."""
    rng = np.random.default_rng(1)
    x = np.concatenate(
        [rng.normal([4.0, 0.0], 1.0, (30, 2)), rng.normal([-4.0, 0.0], 1.0, (30, 2))]
    )
    y = np.repeat([0, 1], 30)
    probe = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        probe.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
    data = TensorData(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long))
    return probe, data


def test_kmeans_clusters_the_logits_not_the_softmax(probe_and_data, monkeypatch):
    from sklearn import cluster

    seen = []
    fit_predict = cluster.KMeans.fit_predict

    def recording(self, points, *args, **kwargs):
        seen.append(np.asarray(points).copy())
        return fit_predict(self, points, *args, **kwargs)

    monkeypatch.setattr(cluster.KMeans, "fit_predict", recording)
    probe, data = probe_and_data
    plan_upsampling(probe, data, 2, seed=0)
    with torch.no_grad():
        logits = probe(data.x).numpy()
    labels = data.y.numpy()
    assert len(seen) == 2  # one k-means per class
    for label, points in zip((0, 1), seen, strict=True):
        np.testing.assert_allclose(points, logits[labels == label], rtol=1e-6)
        # Softmax rows would sum to 1; these logits do not.
        assert not np.allclose(points.sum(1), 1.0)


def test_the_random_control_retrains_on_as_many_examples_so_as_many_steps(tmp_path, monkeypatch):
    """USEFUL and its random control retrain on the same number of examples (more than the
    original set), hence, at one batch size and epoch count, on as many gradient steps."""
    sizes: dict[str, list[int]] = {}
    fit = run_module.fit

    def recording(model, train, spec, seed, run_dir, run_name, *args, **kwargs):
        sizes.setdefault(run_name.split("/")[2], []).append(len(train.x))
        return fit(model, train, spec, seed, run_dir, run_name, *args, **kwargs)

    monkeypatch.setattr(run_module, "fit", recording)
    data = tmp_path / "data"
    n = len(write_bright_dark_images(data)["train"].y)
    batch = 32
    for regime, selection in (("useful", "slow_cluster"), ("useful_random", "random")):
        train = {"epochs": 3, "lr": 0.05, "batch_size": batch}
        useful = {"separating_epoch": 1, "selection": selection}
        train_run(image_run_spec(regime, train, {"useful": useful}), data, tmp_path / regime)
    # Each run: the probe on the original set, then the retraining on the upsampled one.
    (probe_n, useful_n), (control_probe_n, control_n) = sizes["useful"], sizes["useful_random"]
    assert probe_n == control_probe_n == n
    assert useful_n == control_n > n
    assert math.ceil(useful_n / batch) == math.ceil(control_n / batch) > math.ceil(n / batch)
