"""USEFUL's random-upsampling control (Nguyen et al. 2024): per class, a uniformly random
subset of the slow cluster's size is upsampled instead of the slow cluster itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import image_run_spec, write_bright_dark_images
from torch import nn

from simbias.train.engine import TensorData
from simbias.train.pieces.useful import UsefulParams
from simbias.train.regime import Regime
from simbias.train.run import train_run
from simbias.train.useful import plan_upsampling

FACTOR = 3


@pytest.fixture(scope="module")
def probe_and_data():
    """Three classes of 2-d points, each class an easy and a hard (near the others) blob,
    scored by a fixed linear probe: k-means finds a slow cluster in every class."""
    rng = np.random.default_rng(0)
    centres = np.array([[3.0, 0.0], [-1.5, 2.6], [-1.5, -2.6]])
    x, y = [], []
    for label, centre in enumerate(centres):
        for scale, count in ((1.0, 40), (0.15, 25)):  # easy (far out), hard (near 0)
            x.append(centre * scale + 0.2 * rng.standard_normal((count, 2)))
            y.append(np.full(count, label))
    probe = nn.Linear(2, 3, bias=False)
    with torch.no_grad():
        probe.weight.copy_(torch.tensor(centres, dtype=torch.float32))
    data = TensorData(
        x=torch.tensor(np.concatenate(x), dtype=torch.float32),
        y=torch.tensor(np.concatenate(y), dtype=torch.long),
    )
    return probe, data


def without_overlap(classes: dict) -> dict:
    """A summary's per-class sizes without the random subset's overlap with the cluster."""
    return {
        label: {k: v for k, v in sizes.items() if k != "upsampled_in_slow_cluster"}
        for label, sizes in classes.items()
    }


def per_class(mask: np.ndarray, labels: np.ndarray) -> list[int]:
    return [int(mask[labels == c].sum()) for c in np.unique(labels)]


def test_random_selection_keeps_the_counts_and_changes_the_examples(probe_and_data):
    probe, data = probe_and_data
    labels = data.y.numpy()
    useful = plan_upsampling(probe, data, FACTOR, seed=4)
    control = plan_upsampling(probe, data, FACTOR, seed=4, selection="random")
    # The same clustering (USEFUL's slow cluster) underlies both.
    assert np.array_equal(useful.slow, control.slow)
    assert np.array_equal(useful.upsampled, useful.slow)
    assert all(count > 0 for count in per_class(useful.slow, labels))
    # Same number upsampled per class, other examples.
    assert per_class(control.upsampled, labels) == per_class(useful.upsampled, labels)
    assert not np.array_equal(control.upsampled, control.slow)
    for label, sizes in control.summary["classes"].items():
        assert sizes["upsampled_size"] == sizes["slow_cluster_size"]
        assert sizes == {**useful.summary["classes"][label], **sizes}
        assert sizes["upsampled_in_slow_cluster"] == int(
            (control.upsampled * control.slow)[labels == int(label)].sum()
        )
    assert (useful.summary["selection"], control.summary["selection"]) == (
        "slow_cluster",
        "random",
    )
    # Each chosen example appears FACTOR times in total, the others once.
    for plan in (useful, control):
        copies = np.bincount(plan.indices.numpy(), minlength=len(labels))
        assert np.array_equal(copies, np.where(plan.upsampled == 1, FACTOR, 1))
        assert plan.summary["n_after"] == len(labels) + (FACTOR - 1) * int(plan.upsampled.sum())
    assert control.summary["n_after"] == useful.summary["n_after"]


def test_random_selection_is_deterministic_per_seed(probe_and_data):
    probe, data = probe_and_data

    def chosen(seed: int) -> np.ndarray:
        return plan_upsampling(probe, data, FACTOR, seed=seed, selection="random").upsampled

    assert np.array_equal(chosen(4), chosen(4))
    assert not np.array_equal(chosen(4), chosen(5))


def test_an_unknown_selection_is_refused_by_name(probe_and_data):
    with pytest.raises(ValueError, match="regime x/useful/selection: 'fast' is not one of"):
        Regime.from_dict({"name": "x", "useful": {"separating_epoch": 1, "selection": "fast"}})
    with pytest.raises(ValueError, match="selection must be one of"):
        plan_upsampling(*probe_and_data, FACTOR, seed=0, selection="fast")
    assert UsefulParams(separating_epoch=1).selection == "slow_cluster"


def test_the_control_run_differs_from_useful_only_in_which_examples(tmp_path):
    """Both runs train the same probe; the control upsamples as many examples per class,
    others, and records its selection in final.json."""
    data = tmp_path / "data"
    labels = write_bright_dark_images(data)["train"].y

    def run(regime: str, selection: str) -> tuple[dict, dict]:
        train = {"epochs": 3, "lr": 0.05, "batch_size": 32}
        useful = {"separating_epoch": 1, "selection": selection}
        spec = image_run_spec(regime, train, {"useful": useful})
        final = train_run(spec, data, tmp_path / regime)
        with np.load(tmp_path / regime / "useful_clusters.npz") as npz:
            return final, {key: npz[key] for key in npz.files}

    useful, useful_masks = run("useful", "slow_cluster")
    control, control_masks = run("useful_random", "random")
    (summary,) = control["useful"]
    assert summary["selection"] == "random"
    # The same clusters, sizes and losses; only the overlap with the slow cluster differs.
    assert without_overlap(summary["classes"]) == without_overlap(useful["useful"][0]["classes"])
    assert np.array_equal(control_masks["slow"], useful_masks["slow"])
    assert np.array_equal(useful_masks["upsampled"], useful_masks["slow"])
    assert per_class(control_masks["upsampled"], labels) == per_class(useful_masks["slow"], labels)
    assert not np.array_equal(control_masks["upsampled"], control_masks["slow"])
    assert summary["n_after"] == useful["useful"][0]["n_after"]
