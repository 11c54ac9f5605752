"""The per-run analyses are one catalogue: each entry says what it measures, its table
title and what a run needs, and takes its own checked settings (or none)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import write_blobs

from simbias.analysis import ANALYSES, NEEDS, analysis_settings, run_group_analysis
from simbias.analysis.spectra import SPECTRUM_METRICS

ATTACK = {"kind": "pgd", "norm": "linf", "eps": 0.1}


def test_every_analysis_has_a_caption_a_title_and_known_needs():
    entries = ANALYSES.entries()
    assert [e.name for e in entries] == ANALYSES.names() == ANALYSES.modules()
    for entry in entries:
        assert entry.caption.endswith("."), entry.name
        assert entry.meta["title"], entry.name
        needs = entry.meta["needs"]
        assert isinstance(needs, tuple) and needs, entry.name
        assert set(needs) <= set(NEEDS), entry.name
    assert ANALYSES.get("sb_metrics").meta["title"] == "Simplicity-bias metrics"
    assert ANALYSES.get("opposing_signals").meta["needs"] == ("dynamics", "labels")


def test_listing_the_catalogue_imports_no_torch():
    code = (
        "import sys; from simbias.analysis import ANALYSES; ANALYSES.entries();"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["kind", "norm", "eps"])
def test_robustness_refuses_an_attack_without_a_required_key(missing):
    settings = {k: v for k, v in ATTACK.items() if k != missing}
    with pytest.raises(ValueError, match=f"analysis_settings/robustness: '{missing}'"):
        analysis_settings("robustness", settings)
    # Checked before any run is opened.
    with pytest.raises(ValueError, match=f"'{missing}' is a required property"):
        run_group_analysis("robustness", {0: "no/such/run"}, "no/such/data", "cpu", settings)


def test_robustness_settings_are_checked():
    with pytest.raises(ValueError, match="analysis_settings/robustness/eps"):
        analysis_settings("robustness", {**ATTACK, "eps": 0})
    with pytest.raises(ValueError, match="robustness: Additional properties"):
        analysis_settings("robustness", {**ATTACK, "robustness_attack": ATTACK})
    with pytest.raises(ValueError, match="linf"):
        analysis_settings("robustness", {**ATTACK, "kind": "fgsm", "norm": "l2"})
    settings = analysis_settings("robustness", {**ATTACK, "steps": 3})
    assert (settings.eps, settings.steps, settings.step_size) == (0.1, 3, None)


@pytest.mark.parametrize("name", ["sb_metrics", "aspect_ratio", "opposing_signals"])
def test_an_analysis_without_params_refuses_settings(name):
    assert ANALYSES.get(name).params is None
    assert analysis_settings(name, None) is None
    assert analysis_settings(name, {}) is None
    with pytest.raises(ValueError, match=f"analysis_settings/{name}: .* takes no settings"):
        analysis_settings(name, {"seed": 3})


@pytest.fixture(scope="module")
def blobs_run(tmp_path_factory):
    from simbias.train.run import train_run

    root = tmp_path_factory.mktemp("blobs")
    data = write_blobs(root / "data", n=40, dim=12)
    spec = {
        "name": "blobs/mlp/sgd/seed0",
        "dataset": "blobs",
        "seed": 0,
        "model": {"kind": "mlp", "width": 16},
        "regime": {"name": "sgd", "train": {"epochs": 1, "lr": 0.05, "batch_size": 20}},
    }
    train_run(spec, data, root / "run")
    return root / "run", data


def test_aspect_ratios_gaussian_sweep_is_drawn_from_the_runs_seed(blobs_run, monkeypatch):
    run_dir, data_dir = blobs_run
    module = sys.modules[ANALYSES.get("aspect_ratio").obj.__module__]
    monkeypatch.setattr(module, "SWEEP_SHAPES", [(24, 24), (48, 24)])  # small, for speed
    # The same run under seeds 0 and 1, and under seed 0 again.
    first = run_group_analysis("aspect_ratio", {0: run_dir, 1: run_dir}, data_dir, "cpu")
    again = run_group_analysis("aspect_ratio", {0: run_dir}, data_dir, "cpu")

    def gauss(result):
        return {k: v for k, v in result.items() if k.startswith("gauss_")}

    assert set(gauss(first["seed0"])) == {
        f"gauss_q{q}_{m}" for q in (1, 2) for m in SPECTRUM_METRICS
    }
    assert gauss(first["seed0"]) != gauss(first["seed1"])
    assert gauss(again["seed0"]) == gauss(first["seed0"])
    trained = {k: v for k, v in first["seed0"].items() if k.startswith("trained_")}
    assert trained and trained == {k: v for k, v in first["seed1"].items() if k in trained}
