"""USEFUL's claims on small hand-made evidence: SAM's early fast-slow alignment gap, and
USEFUL against SGD and against random upsampling, each beside its control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simbias.report.claims import Evidence, check_claims
from simbias.report.claims.useful import SamNarrowsFeatureGap, alignment_gaps

EPOCHS = 20


def _history(experiment: str, gaps: dict[str, float]) -> pd.DataFrame:
    """5 seeds x EPOCHS epochs per regime: align_slow 0.01, align_fast 0.01 + the regime's
    gap in the first tenth of training and 2.0 after (so only early epochs tell apart)."""
    rows = []
    for seed in range(5):
        for regime, gap in gaps.items():
            for epoch in range(1, EPOCHS + 1):
                early = epoch <= EPOCHS * SamNarrowsFeatureGap.early_fraction
                fast = 0.01 + (gap + 0.01 * seed if early else 2.0)
                rows.append({"experiment": experiment, "regime": regime, "seed": seed,
                             "epoch": epoch, "align_fast": fast, "align_slow": 0.01})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_gap_is_the_mean_over_the_first_tenth_of_epochs():
    gaps = alignment_gaps(_history("p", {"gd": 1.5}), "gd", 0.1)
    np.testing.assert_allclose(gaps, 1.5 + 0.01 * np.arange(5))
    with pytest.raises(ValueError, match="no alignment history for regime 'sam'"):
        alignment_gaps(_history("p", {"gd": 1.5}), "sam", 0.1)


@pytest.mark.parametrize(
    "sam_gap, control_sam_gap, verdict",
    [
        (0.1, 1.5, "PASS"),  # SAM narrower on the data, not on the no-slow control
        (1.5, 1.5, "FAIL"),  # null: SAM as GD
        (0.1, 0.1, "CANNOT TELL"),  # narrower on the control too: SAM only slows the fast feature
    ],
)
def test_sam_gap_claim_is_judged_beside_the_no_slow_control(sam_gap, control_sam_gap, verdict):
    control = {"what": "no slow feature", "experiment": "p0"}
    experiments = {
        "p": {"dataset": "d", "model": "m", "claims": ["sam_narrows_feature_gap"],
              "controls": {"sam_narrows_feature_gap": control}},
        "p0": {"dataset": "d0", "model": "m"},
    }  # fmt: skip
    histories = pd.concat(
        [
            _history("p", {"gd": 1.5, "sam": sam_gap}),
            _history("p0", {"gd": 1.5, "sam": control_sam_gap}),
        ],
        ignore_index=True,
    )
    (row,) = check_claims(Evidence(histories=histories), experiments).to_dict("records")
    assert row["verdict"] == verdict
    assert "epochs 1-2" in row["measured"] and "paired difference" in row["measured"]


def _runs(accuracy: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"experiment": "u", "regime": regime, "seed": seed, "test_accuracy": value}
         for regime, values in accuracy.items() for seed, value in enumerate(values)]
    )  # fmt: skip


def test_useful_rows_against_sgd_and_random_upsampling_each_beside_the_random_control():
    """USEFUL beats SGD, ties random upsampling; random upsampling does not beat SGD."""
    sgd = [0.90, 0.91, 0.90, 0.92, 0.91]
    runs = _runs({
        "sgd": sgd,
        "useful": [a + d for a, d in zip(sgd, [0.02, 0.03, 0.02, 0.025, 0.03], strict=True)],
        "useful_random": [a + d for a, d in zip(sgd, [0.03, 0.02, 0.03, 0.02, 0.025], strict=True)],
    })  # fmt: skip
    control = {"what": "random upsampling", "claim_pairs": [["useful_random", "sgd"]] * 2}
    experiments = {"u": {
        "dataset": "d", "model": "m", "claims": ["useful_improves_test_accuracy"],
        "claim_pairs": [["useful", "sgd"], ["useful", "useful_random"]],
        "controls": {"useful_improves_test_accuracy": control},
    }}  # fmt: skip
    claims = check_claims(Evidence(runs=runs), experiments)
    assert list(claims["regime"]) == ["useful vs sgd", "useful vs useful_random"]
    # Random upsampling also beats SGD here: the gain over SGD cannot be told from the extra
    # steps, and USEFUL does not beat random upsampling.
    assert list(claims["control_verdict"]) == ["PASS", "PASS"]
    assert list(claims["verdict"]) == ["CANNOT TELL", "FAIL"]
