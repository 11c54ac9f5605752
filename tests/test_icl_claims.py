"""Claims of Panwar et al. 2024 (issue 17): every criterion FAILs on a null input, passes on
a clear one, and the claims table judges each claim beside its declared control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simbias.report.claims import Evidence, check_claims
from simbias.report.claims.icl_bayesian_prism import (
    bayes_to_ridge,
    learns_in_context,
    nearer_bayes,
    nearer_ridge,
)
from simbias.report.tables import summarise_metrics

RNG = np.random.default_rng(0)
SEEDS = 5


def test_nearer_bayes_fails_on_nulls():
    assert not nearer_bayes(np.ones(SEEDS))  # the fit is ridge's
    assert not nearer_bayes(0.5 + 0.05 * RNG.standard_normal(SEEDS))  # midway, noise
    assert not nearer_bayes(np.full(SEEDS, np.nan))  # the references do not differ
    assert not nearer_bayes(np.array([0.1]))  # one seed: no interval
    assert nearer_bayes(np.array([0.05, 0.1, 0.08, 0.12, 0.02]))


def test_nearer_ridge_fails_on_nulls():
    assert not nearer_ridge(np.zeros(SEEDS))  # the fit is the Bayes predictor's
    assert not nearer_ridge(0.5 + 0.05 * RNG.standard_normal(SEEDS))
    assert not nearer_ridge(np.array([0.9, np.nan, 0.8, 0.95, 0.85]))
    assert nearer_ridge(np.array([0.9, 1.0, 0.8, 0.95, 0.85]))


def test_learns_in_context_fails_on_nulls():
    errors = 1 + 0.1 * RNG.standard_normal(SEEDS)
    assert not learns_in_context(errors, errors)  # no fall at all
    assert not learns_in_context(np.ones(SEEDS), 0.9 + 0.1 * RNG.random(SEEDS))  # a little
    assert not learns_in_context(np.zeros(SEEDS), np.zeros(SEEDS))  # 0 / 0
    assert learns_in_context(np.ones(SEEDS), np.array([0.2, 0.3, 0.25, 0.1, 0.3]))


def test_the_position_runs_from_bayes_to_ridge_on_the_same_functions():
    position = bayes_to_ridge(np.array([0.01, 0.5, 0.2]), np.array([0.01, 0.0, 0.2]),
                              np.array([0.51, 0.5, 0.2]))  # fmt: skip
    np.testing.assert_allclose(position[:2], [0.0, 1.0])
    assert np.isnan(position[2])


def _summary(experiment: str, shares: dict[str, float], ratio: dict[str, float]) -> list[dict]:
    """Long-form rows of one experiment's icl_regression results over five seeds: the
    probe's power share and the error with 0 and 4 examples, per predictor."""
    rows = []
    for seed in range(SEEDS):
        noise = 0.01 * RNG.standard_normal()
        for predictor, share in shares.items():
            values = {f"m1k{k}power": share + noise for k in (2, 3, 4, 5)}
            values["k0error"] = 1.0 + noise
            values["k4error"] = ratio[predictor] + noise
            for metric, value in values.items():
                rows.append({"experiment": experiment, "dataset": "d", "model": "gpt2",
                             "regime": "icl_adam", "seed": seed, "split": predictor,
                             "metric": metric, "key": f"{predictor}_{metric}",
                             "value": value})  # fmt: skip
    return rows


def _experiments() -> dict:
    common = {"dataset": "d", "model": "gpt2", "regimes": ["icl_adam"]}
    untrained = {"what": "untrained", "claim_predictor": "untrained"}
    return {
        "mix": {**common, "claims": ["icl_mixture_fit_near_bayes", "icl_error_falls_with_examples"],
                "reference": {"bayes_power_low": 0.001, "bayes_power_high": 0.005,
                              "ridge_power_low": 0.35, "ridge_power_high": 0.59},
                "controls": {"icl_mixture_fit_near_bayes": untrained,
                             "icl_error_falls_with_examples": untrained}},
        "single": {**common, "claims": ["icl_single_class_fit_tracks_ridge"],
                   "controls": {"icl_single_class_fit_tracks_ridge": {
                       "what": "the mixture's model", "experiment": "mix"}}},
    }  # fmt: skip


def _claims(
    mix_model: float,
    single_model: float,
    untrained: float,
    trained_ratio: float = 0.2,
    untrained_ratio: float = 1.0,
) -> pd.DataFrame:
    references = {"bayes": 0.002, "ridge": 0.45}
    ratio = {"trained": trained_ratio, "untrained": untrained_ratio, "bayes": 0.0, "ridge": 0.3}
    long = pd.DataFrame(
        _summary("mix", {"trained": mix_model, "untrained": untrained, **references}, ratio)
        + _summary(
            "single", {"trained": single_model, "untrained": untrained, **references}, ratio
        )  # fmt: skip
    )
    evidence = Evidence(summaries={"icl_regression": summarise_metrics(long)})
    return check_claims(evidence, _experiments()).set_index(["check", "experiment"])


def test_each_claim_is_judged_beside_its_control():
    claims = _claims(mix_model=0.05, single_model=0.42, untrained=0.44)
    for key in [("icl_mixture_fit_near_bayes", "mix"), ("icl_error_falls_with_examples", "mix"),
                ("icl_single_class_fit_tracks_ridge", "single")]:  # fmt: skip
        row = claims.loc[key]
        assert row["verdict"] == "PASS" and row["control_verdict"] == "FAIL", key
        assert row["n_seeds"] == SEEDS
    reported = claims.loc[("icl_mixture_fit_near_bayes", "mix"), "paper_reports"]
    assert "Bayes 0.001 to 0.005, ridge 0.35 to 0.59" in reported


MIX, SINGLE = ("icl_mixture_fit_near_bayes", "mix"), ("icl_single_class_fit_tracks_ridge", "single")


@pytest.mark.parametrize(
    "mix_model, single_model, untrained, ratios, check, verdict",
    [
        (0.44, 0.42, 0.44, (0.2, 1.0), MIX, "FAIL"),  # the fit is ridge's
        (0.05, 0.42, 0.05, (0.2, 0.2), MIX, "CANNOT TELL"),  # the control learns and passes
        (0.05, 0.42, 0.05, (1.0, 1.0), MIX, "FAIL"),  # smooth fits that ignore the context
        (0.05, 0.03, 0.44, (0.2, 1.0), SINGLE, "FAIL"),
        (0.42, 0.42, 0.44, (1.0, 1.0), SINGLE, "FAIL"),  # near ridge, but no in-context fit
        (0.40, 0.42, 0.44, (0.2, 1.0), SINGLE, "CANNOT TELL"),
    ],
)
def test_a_null_fit_or_a_passing_control_does_not_pass(
    mix_model, single_model, untrained, ratios, check, verdict
):
    claims = _claims(mix_model, single_model, untrained, *ratios)
    assert claims.loc[check, "verdict"] == verdict


def test_a_smooth_fit_that_ignores_its_context_is_not_the_bayes_fit():
    """The untrained network's output is smooth (little power above frequency 1) but does
    not depend on the examples: its control row FAILs and the trained model's PASS stands."""
    row = _claims(0.05, 0.42, untrained=0.05, untrained_ratio=1.0).loc[MIX]
    assert (row["verdict"], row["control_verdict"]) == ("PASS", "FAIL")
