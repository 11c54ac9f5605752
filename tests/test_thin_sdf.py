"""The thin-part signed distance field (DebSDF's thin structures, Tancik et al.'s mappings):
the SDF is exact, its regions sit where they should, the sdf_fit analysis scores a known
prediction, and each claim's criterion fails on a null input and passes on a planted one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import seed_summary

from simbias.analysis.sdf_fit import sdf_errors
from simbias.data.base import get_generator
from simbias.data.generators.thin_shape_sdf import (
    BARS,
    ThinShapeSdfParams,
    grid_points,
    shape_sdf,
)
from simbias.report.claims._base import Evidence
from simbias.report.claims.debsdf import ThinPartsLost
from simbias.report.claims.spectral_bias import FourierFeaturesKeepThinParts

PARAMS = ThinShapeSdfParams()


def test_the_sdf_has_unit_gradient_almost_everywhere():
    size = 512
    sdf = shape_sdf(grid_points(size), PARAMS)
    dy, dx = np.gradient(sdf, 2 / size)
    norm = np.hypot(dx, dy)
    # Central differences straddle the kinks (medial axes, the ring's centre line): away
    # from them |grad| = 1 to the grid's precision.
    assert np.mean(np.abs(norm - 1) < 1e-3) > 0.95
    assert np.median(norm) == pytest.approx(1.0, abs=1e-4)  # O(h^2) on curved level sets


def test_the_sdf_is_known_at_chosen_points_and_signed():
    points = np.array([
        [0.0, 0.0],  # the disc's centre: -0.4
        [0.3, 0.0],  # inside the disc, 0.1 from its edge
        [0.55, 0.0],  # between disc and ring: 0.15 from the disc, 0.11 from the ring
        [0.0, 0.7],  # on the ring's centre line: -0.04
        [0.75, 0.75],  # on the bar's segment: -0.04
        [-1.0, 1.0],  # a corner: nearest the ring, sqrt(2) - 0.74
    ])  # fmt: skip
    expected = [-0.4, -0.1, 0.11, -0.04, -0.04, np.sqrt(2) - 0.74]
    np.testing.assert_allclose(shape_sdf(points, PARAMS), expected, atol=1e-12)


def test_the_sdf_matches_a_brute_force_distance_to_the_boundary():
    # The distance from a point to the nearest sampled boundary point of the whole shape,
    # signed by the inside test: exact where min of the primitives' SDFs is exact.
    angles = np.linspace(0, 2 * np.pi, 20000, endpoint=False)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    boundary = [circle * r for r in (0.4, 0.66, 0.74)]
    half = PARAMS.thin_width / 2
    for start, end in BARS:  # a capsule: two sides offset by half the width, round ends
        a, b = np.asarray(start), np.asarray(end)
        normal = np.array([-(b - a)[1], (b - a)[0]]) / np.linalg.norm(b - a)
        along = np.linspace(0, 1, 4000)[:, None]
        boundary += [a + along * (b - a) + side * half * normal for side in (-1, 1)]
        ends = half * circle
        boundary += [a + ends[ends @ (b - a) <= 0], b + ends[ends @ (a - b) <= 0]]
    boundary = np.concatenate(boundary)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(300, 2))
    nearest = np.sqrt(((points[:, None] - boundary[None]) ** 2).sum(-1)).min(axis=1)
    exact = shape_sdf(points, PARAMS)
    np.testing.assert_allclose(np.abs(exact), nearest, atol=3e-3)


def test_splits_regions_and_determinism():
    dataset = get_generator("thin_shape_sdf", {"size": 64}).generate(seed=0)
    train, test = dataset.splits["train"], dataset.splits["test"]
    assert len(train.x) == 32 * 32 and len(test.x) == 64 * 64 - 32 * 32
    assert (train.attributes["row"] % 2 == 0).all() and (train.attributes["col"] % 2 == 0).all()
    for split in (train, test):
        thin, thick = split.attributes["thin"], split.attributes["thick"]
        assert thin.any() and thick.any() and not (thin & thick).any()
        radius = np.linalg.norm(split.x, axis=1)
        # Thick: near the disc's edge (0.4); thin: near the ring (0.66-0.74) or a bar.
        assert np.all(np.abs(radius[thick] - 0.4) <= 0.0625 + 1e-6)
        on_ring = np.abs(radius[thin] - 0.7) <= 0.04 + 0.0625 + 1e-6
        in_corner = np.abs(split.x[thin]).sum(axis=1) > 1.3
        assert np.all(on_ring | in_corner)
        assert np.all(np.abs(split.y[thin | thick, 0]) <= 0.0625 + 1e-6)
    again = get_generator("thin_shape_sdf", {"size": 64}).generate(seed=3)
    np.testing.assert_array_equal(again.splits["test"].y, test.y)


def test_overlapping_parts_are_refused():
    with pytest.raises(ValueError, match="disjoint"):
        ThinShapeSdfParams(thick_radius=0.68)


def test_sdf_errors_of_a_known_prediction():
    # Every held-out point inside (target -0.2): the thin points fitted at 0.1 and 0.3
    # are outside, the thick ones at -0.1 (inside) and 0.1 (outside).
    targets = {"train": np.zeros(4), "test": np.full(6, -0.2)}
    fits = {"train": np.full(4, 0.1), "test": np.array([0.1, 0.3, -0.1, 0.1, -0.2, -0.2])}
    regions = {"thin": np.array([1, 1, 0, 0, 0, 0], bool),
               "thick": np.array([0, 0, 1, 1, 0, 0], bool)}  # fmt: skip
    result = sdf_errors(fits, targets, regions)
    assert result == pytest.approx({"train_mae": 0.1, "test_mae": 0.2, "thin_mae": 0.4,
                                    "thick_mae": 0.2, "gap_mae": 0.2, "thin_inside": 0.0,
                                    "thick_inside": 0.5, "lost_inside": 0.5})  # fmt: skip


SPEC = {"model": "m", "dataset": "d"}
THIN = [0.020, 0.025, 0.018, 0.030, 0.022]


def test_keep_thin_parts_fails_against_itself_and_passes_on_a_planted_gain():
    none = seed_summary("none", {"thin_mae": THIN})
    mapped = seed_summary("mapped", {"thin_mae": [v / 5 for v in THIN]})
    evidence = Evidence(summaries={"sdf_fit": pd.concat([none, mapped])})
    claim = FourierFeaturesKeepThinParts()
    assert not claim.rows(evidence, "none", SPEC)[0].claim_passed
    assert claim.rows(evidence, "mapped", {**SPEC, "compare_experiment": "none"})[0].claim_passed
    # The other way round (the mapping worse) fails.
    assert not claim.rows(evidence, "none", {**SPEC, "compare_experiment": "mapped"})[
        0
    ].claim_passed


def test_thin_parts_lost_fails_on_no_gap_and_passes_on_a_planted_gap():
    kept = [1.0, 0.99, 1.0, 0.98, 1.0]
    null = {"thin_mae": THIN, "thick_mae": THIN, "thin_inside": kept, "thick_inside": kept,
            "lost_inside": [0.002, -0.003, 0.001, -0.002, 0.001]}  # fmt: skip
    planted = {**null, "lost_inside": [0.30, 0.25, 0.41, 0.28, 0.35]}
    evidence = Evidence(summaries={"sdf_fit": pd.concat(
        [seed_summary("null", null), seed_summary("planted", planted)])})  # fmt: skip
    claim = ThinPartsLost()
    assert not claim.rows(evidence, "null", SPEC)[0].claim_passed
    assert claim.rows(evidence, "planted", SPEC)[0].claim_passed


def test_the_sdf_fit_analysis_scores_a_trained_network_by_its_own_predictions(tmp_path):
    """The analysis on a real (briefly trained) run: its numbers are those of the network's
    own outputs on the stored splits, recomputed here from the model."""
    import torch

    from simbias.analysis import run_group_analysis
    from simbias.data.store import load_split, write_dataset
    from simbias.train.run import load_trained_model, train_run

    dataset = get_generator("thin_shape_sdf", {"size": 16}).generate(seed=0)
    data = tmp_path / "data"
    write_dataset(data, "sdf_thin", dataset, seed=0)
    train = {"optimizer": "adam", "lr": 1e-3, "batch_size": "full", "schedule": "constant",
             "loss": "regression_mse", "epochs": 3}  # fmt: skip
    spec = {
        "name": "sdf_thin/sdf_mlp/coordinate_adam/seed0", "dataset": "sdf_thin", "seed": 0,
        "model": {"kind": "coordinate_mlp", "width": 16, "depth": 2, "mapping": "none"},
        "regime": {"name": "coordinate_adam", "train": train},
    }  # fmt: skip
    train_run(spec, data, tmp_path / "run")
    result = run_group_analysis("sdf_fit", {0: tmp_path / "run"}, data, "cpu", None)["seed0"]

    model = load_trained_model(tmp_path / "run", data, "cpu")
    test = load_split(data, "test")
    with torch.no_grad():
        fit = model(torch.from_numpy(test.x)).numpy().ravel()
    target = np.ravel(test.y)
    error = np.abs(fit - target)
    thin = test.attributes["thin"].astype(bool)
    assert result["test_mae"] == pytest.approx(error.mean())
    assert result["thin_mae"] == pytest.approx(error[thin].mean())
    inside = thin & (target < 0)
    assert result["thin_inside"] == pytest.approx(np.mean(fit[inside] < 0))
