"""model_size: parameters and forward multiply-adds of a run's network, against the formulas
of a bottleneck MLP (Bachmann et al.'s block) and of an ensemble."""

from __future__ import annotations

import pytest
from conftest import write_blobs

from simbias.analysis import run_group_analysis
from simbias.train.run import train_run

DIM, WIDTH, BLOCKS, CLASSES = 12, 8, 2, 2


def _run(root, regime: dict):
    data = write_blobs(root / "data", n=40, dim=DIM)
    spec = {
        "name": "blobs/mlp_b2_w8/sgd/seed0",
        "dataset": "blobs",
        "seed": 0,
        "model": {"kind": "bottleneck_mlp", "blocks": BLOCKS, "width": WIDTH},
        "regime": {"name": "sgd", "train": {"epochs": 1, "lr": 0.05, "batch_size": 20}, **regime},
    }
    train_run(spec, data, root / "run")
    return run_group_analysis("model_size", {0: root / "run"}, data, "cpu", None)["seed0"]


def _bottleneck_counts() -> tuple[int, int]:
    """Parameters and multiply-adds: input layer, BLOCKS x (LayerNorm, W1 to 4w, W2 back),
    output layer (LayerNorm's element-wise affine has parameters, no products)."""
    expansion = 4 * WIDTH
    block_params = 2 * WIDTH + (WIDTH * expansion + expansion) + (expansion * WIDTH + WIDTH)
    params = (DIM * WIDTH + WIDTH) + BLOCKS * block_params + (WIDTH * CLASSES + CLASSES)
    macs = DIM * WIDTH + BLOCKS * 2 * WIDTH * expansion + WIDTH * CLASSES
    return params, macs


def test_a_bottleneck_mlp_counts_as_its_formula(tmp_path):
    sizes = _run(tmp_path, {})
    params, macs = _bottleneck_counts()
    assert sizes["parameters"] == params
    assert sizes["forward_flops"] == macs


def test_an_ensemble_counts_every_member(tmp_path):
    sizes = _run(tmp_path, {"ensemble": {"members": 3}})
    params, macs = _bottleneck_counts()
    assert sizes["parameters"] == 3 * params
    assert sizes["forward_flops"] == pytest.approx(3 * macs, rel=0.01)
