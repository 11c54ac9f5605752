"""The robust-CNN report pieces: the cue-amplitude sweep figure and the claims with
variants (activation-map TV on clean and noisy images), each beside its control."""

from __future__ import annotations

import pandas as pd
import pytest

from simbias.report.claims import check_claims
from simbias.report.claims._base import Evidence
from simbias.report.figures.shape_bias_sweep import shape_bias_sweep_figure, sweep_points
from simbias.report.tables import summarise_metrics


def _long(rows: list[tuple[str, str, int, str, float]]) -> pd.DataFrame:
    """Long-form metrics from (experiment, regime, seed, key, value)."""
    return pd.DataFrame(
        [
            {"experiment": e, "dataset": f"d_{e}", "model": "cnn_k7", "regime": r, "seed": s,
             "split": k.rpartition("_")[0], "metric": k.rpartition("_")[2], "key": k,
             "value": v}
            for e, r, s, k, v in rows
        ]
    )  # fmt: skip


def _sweep_summary() -> pd.DataFrame:
    rows = []
    for experiment, amplitude, biases in (
        ("x1", 0.0175, {"sgd": 0.4, "adv_pgd": 0.95, "noise_linf_8": 0.5}),
        ("x4", 0.07, {"sgd": 0.0, "adv_pgd": 0.01, "noise_linf_8": 0.0}),
    ):
        for regime, bias in biases.items():
            for seed in range(3):
                rows += [(experiment, regime, seed, "shape_bias", bias + 0.01 * seed),
                         (experiment, regime, seed, "cue_amplitude", amplitude)]  # fmt: skip
                if regime == "adv_pgd":
                    rows.append((experiment, regime, seed, "attack_linf_eps", 0.0314))
    return summarise_metrics(_long(rows))


def test_sweep_points_put_each_experiment_at_its_amplitude_over_eps(tmp_path):
    points = sweep_points(_sweep_summary())
    ratios = points.groupby("experiment")["ratio"].first()
    assert ratios.to_dict() == pytest.approx({"x1": 0.0175 / 0.0314, "x4": 0.07 / 0.0314})
    assert len(points) == 6 and set(points["n"]) == {3}
    fig = shape_bias_sweep_figure(_sweep_summary())
    fig.savefig(tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").stat().st_size > 1000


def test_a_sweep_experiment_without_an_attack_radius_is_refused():
    summary = _sweep_summary()
    no_attack = summary[summary["key"] != "attack_linf_eps"]
    with pytest.raises(ValueError, match="L-inf attack radius"):
        sweep_points(no_attack)


def test_activation_tv_claim_has_a_row_per_image_set_beside_the_controls():
    rows = []
    values = {"sgd": 77.0, "adv_pgd": 59.0, "noise_linf_8": 76.0}
    for regime, tv in values.items():
        for seed in range(5):
            for images, shift in (("clean", -10.0), ("noisy", 0.0)):
                rows.append(("e", regime, seed, f"mean_act_tv_{images}", tv + shift + 0.3 * seed))
    evidence = Evidence(summaries={"neuron_simplicity": summarise_metrics(_long(rows))})
    control = {"what": "Gaussian noise of the adversary's norm", "claim_regimes": ["noise_linf_8"]}
    spec = {"dataset": "d", "model": "cnn_k7", "claims": ["robust_activations_smoother"],
            "claim_regimes": ["adv_pgd"],
            "controls": {"robust_activations_smoother": control}}  # fmt: skip
    table = check_claims(evidence, {"e": spec})
    assert list(table["variant"]) == ["clean", "noisy"]
    assert list(table["verdict"]) == ["PASS", "PASS"]
    assert list(table["control_verdict"]) == ["FAIL", "FAIL"]
    assert "noisy images" in table["claim"].iloc[1]
