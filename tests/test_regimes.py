"""Every regime piece trains through train_run, alone and composed, and its run reloads."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import image_run_spec, write_bright_dark_images

from simbias.analysis.sb_metrics import sb_metrics
from simbias.models.ensemble import LogitEnsemble
from simbias.train.pieces.sam import SamUpdate
from simbias.train.regime import Regime
from simbias.train.run import load_trained_model, train_run

TRAIN = {"epochs": 6, "lr": 0.05, "batch_size": 32}
REGIMES = {
    "sgd": {},
    "gd": {"train": {**TRAIN, "epochs": 30, "lr": 0.5, "batch_size": "full", "momentum": 0.0}},
    "sam": {"sam": {"rho": 0.05}},
    "adv_pgd": {"adversarial": {"kind": "pgd", "norm": "linf", "eps": 0.05, "steps": 2}},
    "adv_fgsm": {"adversarial": {"kind": "fgsm", "norm": "linf", "eps": 0.05}},
    "adv+sam": {
        "adversarial": {"kind": "pgd", "norm": "l2", "eps": 0.2, "steps": 2},
        "sam": {"rho": 0.05},
    },
    "useful": {"useful": {"separating_epoch": 1}},
    "useful+sam": {"useful": {"separating_epoch": 1}, "sam": {"rho": 0.05}},
    "ensemble": {"ensemble": {"members": 2}},
}


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Two classes of 1x8x8 images in [0, 1]: dark vs bright (global pooling sees it)."""
    path = tmp_path_factory.mktemp("images")
    write_bright_dark_images(path, ("train", "test", "s_rand", "sc_rand"))
    return path


def spec(regime: str) -> dict:
    return image_run_spec(regime, TRAIN, REGIMES[regime])


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_every_regime_trains_and_reloads(images, tmp_path, regime):
    final = train_run(spec(regime), images, tmp_path)
    assert final["test_accuracy"] > 0.8, final
    model = load_trained_model(tmp_path, images)
    metrics = sb_metrics(tmp_path, images)
    assert metrics["test_accuracy"] == pytest.approx(final["test_accuracy"])
    assert not list(tmp_path.rglob("checkpoint.pt"))
    if regime == "ensemble":
        assert isinstance(model, LogitEnsemble) and len(model.members) == 2
        # The ensemble predicts the mean of its members' logits.
        x = torch.rand(5, 1, 8, 8)
        mean = torch.stack([m(x) for m in model.members]).mean(0)
        torch.testing.assert_close(model(x), mean)
        assert not (tmp_path / "member0").exists()


def test_useful_upsamples_the_slow_cluster_of_each_class(images, tmp_path):
    final = train_run(spec("useful"), images, tmp_path)
    (summary,) = final["useful"]
    slow = np.load(tmp_path / "useful_clusters.npz")["slow"]
    assert summary["n_before"] == 96
    assert summary["n_after"] == 96 + int(slow.sum())
    for sizes in summary["classes"].values():
        assert sizes["slow_cluster_size"] + sizes["fast_cluster_size"] == sizes["size"]
        assert sizes["slow_cluster_mean_loss"] >= sizes["fast_cluster_mean_loss"]


def test_regime_sections_compose_and_refuse_typos():
    regime = Regime.from_dict(
        {
            "name": "x",
            "train": TRAIN,
            "sam": {"rho": 0.1},
            "adversarial": {"kind": "pgd", "norm": "linf", "eps": 0.1},
        },
        input_range=(0, 1),
    )
    assert isinstance(regime.update, SamUpdate) and regime.transform.attack.clip == (0, 1)
    with pytest.raises(ValueError, match="rhoo"):
        Regime.from_dict({"name": "x", "train": TRAIN, "sam": {"rhoo": 0.1}})
    with pytest.raises(ValueError, match="unknown sections"):
        Regime.from_dict({"name": "x", "train": TRAIN, "mixup": {}})
    attack = {"kind": "pgd", "norm": "linf", "eps": 0.1}
    with pytest.raises(ValueError, match="mixup and adversarial cannot be combined"):
        Regime.from_dict({"name": "x", "train": {**TRAIN, "mixup": 0.8}, "adversarial": attack})


def test_sam_regime_resumes_bit_identically(images, tmp_path):
    """A SAM run interrupted after its first epoch ends where an uninterrupted one does."""
    from simbias.train.engine import fit
    from simbias.train.run import build_run_model, load_tensors, seed_everything

    run = spec("adv+sam")
    regime = Regime.from_dict(run["regime"], input_range=(0, 1))
    data = load_tensors(images, "train", "cpu")
    card = json.loads((images / "card.json").read_text())

    def trained(run_dir, stop=None):
        seed_everything(0)
        model = build_run_model(run, card)
        fit(
            model,
            data,
            regime.train,
            0,
            run_dir,
            "r",
            update=regime.update,
            transform=regime.transform,
            stop_after_epoch=stop,
        )
        return model

    reference = trained(tmp_path / "a")
    trained(tmp_path / "b", stop=1)
    resumed = trained(tmp_path / "b")
    for key, value in reference.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key
