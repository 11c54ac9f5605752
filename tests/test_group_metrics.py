"""group_metrics on runs whose predictions are known: a fixed linear model that reads only
the simple feature (right exactly where s == y), or only the complex one, run through the
catalogue as scripts/analyse.py runs it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from simbias.analysis import run_group_analysis
from simbias.analysis.group_metrics import group_balanced_rows
from simbias.data.base import NO_FEATURE, DatasetSplits, Split, feature_labels, get_generator
from simbias.data.generators.slabs import SlabDataset
from simbias.data.store import write_dataset

#: Examples per (y, s) group of the binary S-randomised set: unequal, so balancing matters.
S_RAND_GROUPS = {(0, 0): 12, (0, 1): 8, (1, 0): 5, (1, 1): 15}
#: sc_rand: per class, how many examples have the complex feature of the other class.
SC_RAND_FLIPPED = {0: 3, 1: 0}
PER_CLASS = 10
SPLIT_KEYS = ("test", "s_rand", "sc_rand")


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """Rows of the identity, and a zero row for NO_FEATURE (a feature that is absent)."""
    return np.vstack([np.eye(k), np.zeros((1, k))])[labels]


def feature_split(y, simple, complex_, k: int) -> Split:
    """Inputs ``[one_hot(simple), one_hot(complex)]`` with the labels as attributes."""
    y, simple, complex_ = (np.asarray(a, dtype=np.int64) for a in (y, simple, complex_))
    x = np.hstack([one_hot(simple, k), one_hot(complex_, k)]).astype(np.float32)
    return Split(x, y, feature_labels(simple, complex_))


def write_group_dataset(path: Path) -> Path:
    """Two classes; S-rand with the groups of S_RAND_GROUPS (and two examples without a
    simple feature), S^c-rand with SC_RAND_FLIPPED complex features flipped."""
    y = np.repeat([0, 1], PER_CLASS)
    pairs = [pair for pair, count in S_RAND_GROUPS.items() for _ in range(count)]
    s_rand_y, s_rand_s = (np.array(column) for column in zip(*pairs, strict=True))
    s_rand_y, s_rand_s = np.append(s_rand_y, [0, 1]), np.append(s_rand_s, [NO_FEATURE] * 2)
    flipped = y.copy()
    for label, count in SC_RAND_FLIPPED.items():
        flipped[np.flatnonzero(y == label)[:count]] = 1 - label
    splits = {
        "train": feature_split(y, y, y, 2),
        "test": feature_split(y, y, y, 2),
        "s_rand": feature_split(s_rand_y, s_rand_s, s_rand_y, 2),
        "sc_rand": feature_split(y, y, flipped, 2),
    }
    write_dataset(path, "groups", DatasetSplits(splits, {"kind": "groups"}), seed=0)
    return path


def write_linear_run(path: Path, weight: np.ndarray) -> Path:
    """A finished run of a linear model (an mlp without hidden layers): logits x @ weight.T,
    saved as training saves one (model.pt, and final.json's config)."""
    spec = {
        "name": "groups/linear/sgd/seed0",
        "dataset": "groups",
        "seed": 0,
        "model": {"kind": "mlp", "depth": 0},
        "regime": {"name": "sgd", "train": {"epochs": 1, "lr": 0.1, "batch_size": 10}},
    }
    path.mkdir(parents=True)
    weight = torch.as_tensor(weight, dtype=torch.float32)
    state = {"1.weight": weight, "1.bias": torch.zeros(len(weight))}
    torch.save(state, path / "model.pt")
    (path / "final.json").write_text(json.dumps({"run": spec["name"], "config": spec}))
    return path


def reader(k: int, feature: str) -> np.ndarray:
    """The weight of a linear model that predicts the class one feature's one-hot says."""
    blocks = [np.eye(k), np.zeros((k, k))]
    return np.hstack(blocks if feature == "simple" else blocks[::-1])


def analyse(run_dir: Path, data_dir: Path) -> dict[str, float]:
    return run_group_analysis("group_metrics", {0: run_dir}, data_dir, "cpu")["seed0"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_group_dataset(tmp_path_factory.mktemp("groups") / "data")


def test_a_simple_reader_fails_every_group_where_the_simple_feature_lies(data_dir, tmp_path):
    metrics = analyse(write_linear_run(tmp_path / "run", reader(2, "simple")), data_dir)
    groups = [f"y{y}s{s}" for y in (0, 1) for s in (0, 1)]
    expected_keys = {f"{split}_{g}" for split in SPLIT_KEYS for g in groups}
    expected_keys |= {f"{split}_{m}" for split in SPLIT_KEYS for m in ("worstgroup", "groupmean")}
    assert set(metrics) == expected_keys | {"s_rand_balanced"}
    assert all(isinstance(v, float) for v in metrics.values())
    assert {k: metrics[f"s_rand_{k}"] for k in groups} == {
        "y0s0": 1.0,
        "y0s1": 0.0,
        "y1s0": 0.0,
        "y1s1": 1.0,
    }
    assert metrics["s_rand_worstgroup"] == 0.0 and metrics["s_rand_groupmean"] == 0.5
    assert metrics["s_rand_balanced"] == 0.5
    # Test and S^c-rand have only the groups s == y: the others are NaN and left out.
    for split in ("test", "sc_rand"):
        assert metrics[f"{split}_y0s0"] == metrics[f"{split}_y1s1"] == 1.0
        assert math.isnan(metrics[f"{split}_y0s1"]) and math.isnan(metrics[f"{split}_y1s0"])
        assert metrics[f"{split}_worstgroup"] == metrics[f"{split}_groupmean"] == 1.0


def test_a_complex_reader_has_no_bad_group_on_s_rand(data_dir, tmp_path):
    """The null: the simple feature's label does not matter to it."""
    metrics = analyse(write_linear_run(tmp_path / "run", reader(2, "complex")), data_dir)
    assert metrics["s_rand_worstgroup"] == metrics["s_rand_balanced"] == 1.0
    assert metrics["test_worstgroup"] == 1.0
    # On S^c-rand it follows the flipped complex features: 3 of class 0's 10 are wrong.
    assert metrics["sc_rand_y0s0"] == pytest.approx(0.7) and metrics["sc_rand_y1s1"] == 1.0
    assert metrics["sc_rand_worstgroup"] == pytest.approx(0.7)
    assert metrics["sc_rand_groupmean"] == pytest.approx(0.85)


def test_three_classes_and_a_missing_group(tmp_path):
    """Groups are every (y, s) over the card's classes; one empty in S-rand is NaN and
    neither the worst nor in the mean, nor in the balanced set."""
    k = 3
    pairs = [(y, s) for y in range(k) for s in range(k) if (y, s) != (2, 0)]
    counts = {pair: 2 + i for i, pair in enumerate(pairs)}  # unequal: 2 to 9 examples
    rows = [pair for pair in pairs for _ in range(counts[pair])]
    y, s = (np.array(column) for column in zip(*rows, strict=True))
    diagonal = np.arange(k).repeat(4)
    splits = {
        "train": feature_split(diagonal, diagonal, diagonal, k),
        "test": feature_split(diagonal, diagonal, diagonal, k),
        "s_rand": feature_split(y, s, y, k),
        "sc_rand": feature_split(diagonal, diagonal, diagonal, k),
    }
    data_dir = tmp_path / "data"
    write_dataset(data_dir, "three", DatasetSplits(splits, {"kind": "three"}), seed=0)
    metrics = analyse(write_linear_run(tmp_path / "run", reader(k, "complex")), data_dir)
    assert math.isnan(metrics["s_rand_y2s0"])
    assert metrics["s_rand_worstgroup"] == metrics["s_rand_groupmean"] == 1.0
    metrics = analyse(write_linear_run(tmp_path / "simple", reader(k, "simple")), data_dir)
    assert metrics["s_rand_y1s1"] == 1.0 and metrics["s_rand_y1s2"] == 0.0
    assert metrics["s_rand_worstgroup"] == 0.0
    # 8 groups, 3 of them on the diagonal (s == y): right on those, wrong on the 5 others.
    assert metrics["s_rand_groupmean"] == metrics["s_rand_balanced"] == pytest.approx(3 / 8)
    assert len([key for key in metrics if key.startswith("test_y")]) == k * k


def test_the_balanced_set_is_one_fixed_draw_of_equal_groups():
    rng = np.random.default_rng(1)
    y, s = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    rows = group_balanced_rows(y, s)
    assert np.array_equal(rows, group_balanced_rows(y, s))
    assert len(np.unique(rows)) == len(rows)
    sizes = {(a, b): int(((y[rows] == a) & (s[rows] == b)).sum()) for a in (0, 1) for b in (0, 1)}
    smallest = min(int(((y == a) & (s == b)).sum()) for a in (0, 1) for b in (0, 1))
    assert set(sizes.values()) == {smallest}


def test_a_simple_reader_on_generated_slabs(tmp_path):
    """The generator's attributes and the analysis together: on LMS-5, a linear model on the
    (rotated) simple coordinate is exactly the simple feature's rule."""
    params = {"n_train": 200, "n_test": 400, "dim": 5, "simple": "linear", "complex_slabs": 5}
    generator = get_generator("slabs", params)
    assert isinstance(generator, SlabDataset)
    write_dataset(tmp_path / "data", "lms5", generator.generate(7), seed=7)
    # x = unrotated @ Q, so the simple coordinate is x @ Q[0]; its sign is the class.
    simple_direction = generator.rotation_matrix(7)[0]
    weight = np.stack([-simple_direction, simple_direction])
    metrics = analyse(write_linear_run(tmp_path / "run", weight), tmp_path / "data")
    assert metrics["test_worstgroup"] == metrics["sc_rand_worstgroup"] == 1.0
    assert metrics["s_rand_y0s0"] == metrics["s_rand_y1s1"] == 1.0
    assert metrics["s_rand_worstgroup"] == 0.0 and metrics["s_rand_balanced"] == 0.5
