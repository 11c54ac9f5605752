"""Shape bias: the fraction of cue-decided answers on conflict images that follow the shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import train_cue_conflict_run

from simbias.analysis.shape_bias import shape_bias, shape_bias_analysis

SHAPE = np.array([0, 1, 2, 3, 0, 1, 2, 3])
TEXTURE = np.array([1, 2, 3, 0, 2, 3, 0, 1])


def test_always_shape_is_one_and_always_texture_is_zero():
    assert shape_bias(SHAPE, SHAPE, TEXTURE) == {
        "shape_bias": 1.0,
        "shape_decisions": 8.0,
        "texture_decisions": 0.0,
        "cue_fraction": 1.0,
    }
    assert shape_bias(TEXTURE, SHAPE, TEXTURE)["shape_bias"] == 0.0


def test_a_mix_gives_the_exact_fraction_and_other_answers_are_left_out():
    # 3 by shape, 1 by texture, 4 matching neither cue (class 4 or the remaining class).
    predictions = np.array([0, 1, 2, 0, 4, 4, 1, 0])
    result = shape_bias(predictions, SHAPE, TEXTURE)
    assert result["shape_bias"] == pytest.approx(3 / 4)
    assert (result["shape_decisions"], result["texture_decisions"]) == (3.0, 1.0)
    assert result["cue_fraction"] == pytest.approx(4 / 8)
    # Changing the answers that follow neither cue changes nothing but nothing else.
    predictions[4:6] = 5
    assert shape_bias(predictions, SHAPE, TEXTURE)["shape_bias"] == pytest.approx(3 / 4)


def test_no_cue_decision_is_nan_and_agreeing_cues_are_refused():
    assert math.isnan(shape_bias(np.full(8, 9), SHAPE, TEXTURE)["shape_bias"])
    with pytest.raises(ValueError, match="different"):
        shape_bias(SHAPE, SHAPE, SHAPE)
    with pytest.raises(ValueError, match="length"):
        shape_bias(SHAPE[:3], SHAPE, TEXTURE)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A small CNN trained on vivid cue-conflict images, where colour is the easy cue."""
    root = tmp_path_factory.mktemp("cue_conflict")
    vivid = {"colour_strength": 1.0, "texture_contrast": 1.0}
    return train_cue_conflict_run(root, epochs=4, n_train=240, n_test=80, n_probe=80, **vivid)


def test_analysis_of_a_run(run):
    run_dir, data_dir, final = run
    metrics = shape_bias_analysis(run_dir, data_dir, settings={"batch_size": 16})
    assert set(metrics) == {
        "shape_bias",
        "texture_bias",
        "shape_decisions",
        "texture_decisions",
        "cue_fraction",
        "test_accuracy",
        "shape_only_accuracy",
        "texture_only_accuracy",
        "colour_only_accuracy",
        "cue_amplitude",  # the dataset's, from its card; an SGD run has no attack radius
    }
    assert all(isinstance(v, float) for v in metrics.values())
    assert metrics["test_accuracy"] == pytest.approx(final["test_accuracy"])
    assert metrics["shape_bias"] + metrics["texture_bias"] == pytest.approx(1.0)
    decided = metrics["shape_decisions"] + metrics["texture_decisions"]
    assert decided == pytest.approx(80 * metrics["cue_fraction"])
    # Trained where colour separates the classes, the network follows texture, as
    # ImageNet CNNs do in Geirhos et al.
    assert metrics["test_accuracy"] > 0.9 and metrics["colour_only_accuracy"] > 0.9
    assert metrics["shape_bias"] < 0.5


def test_sweep_facts_are_the_cards_cue_amplitude_and_the_runs_linf_radius(run, tmp_path):
    import json
    import shutil

    from simbias.analysis.shape_bias import sweep_facts
    from simbias.data.cue_images import cue_amplitudes

    run_dir, data_dir, final = run
    expected = cue_amplitudes(4, 1.0, 1.0)["cue_amplitude"]  # the fixture's vivid cues
    assert sweep_facts(run_dir, data_dir) == {"cue_amplitude": pytest.approx(expected)}
    adversarial = tmp_path / "adv"
    shutil.copytree(run_dir, adversarial)
    attack = {"kind": "pgd", "norm": "linf", "eps": 0.0314, "step_size": 0.0157, "steps": 3}
    final["config"]["regime"]["adversarial"] = attack
    (adversarial / "final.json").write_text(json.dumps(final))
    assert sweep_facts(adversarial, data_dir)["attack_linf_eps"] == pytest.approx(0.0314)
