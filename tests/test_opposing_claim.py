"""The opposing_groups_oscillate claim on the summary the real analysis and aggregation
write: planted opposing groups PASS, loss curves without opposing structure FAIL."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simbias.analysis.opposing_signals import opposing_signals_analysis
from simbias.report.claims._base import CLAIMS, Evidence
from simbias.report.tables import summarise_metrics

T, N = 40, 200
SPEC = {"paper": "p", "dataset": "d", "model": "m", "claim_regimes": ["gd"]}


def _summary(results: list[dict[str, float]]) -> pd.DataFrame:
    rows = [
        {"experiment": "e", "dataset": "d", "model": "m", "regime": "gd", "seed": seed,
         "split": key.rpartition("_")[0], "metric": key.rpartition("_")[2], "key": key,
         "value": value}
        for seed, result in enumerate(results)
        for key, value in result.items()
    ]  # fmt: skip
    return summarise_metrics(pd.DataFrame(rows))


def _row(results):
    claim = CLAIMS.get("opposing_groups_oscillate").obj()
    evidence = Evidence(summaries={"opposing_signals": _summary(results)})
    (row,) = claim.rows(evidence, "e", SPEC)
    return row


def _planted(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Decaying losses; 5 examples of class 0 swing against 5 of class 1 all along."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)[:, None]
    losses = np.exp(-t / 30) + 0.01 * rng.standard_normal((T, N))
    labels = rng.integers(0, 2, N)
    labels[:5], labels[5:10] = 0, 1
    swing = 0.4 * np.sin(t * 1.3)
    losses[:, :5] += 0.5 + swing
    losses[:, 5:10] += 0.5 - swing
    outlier = np.zeros(N, dtype=np.int8)
    outlier[:10] = 1
    return {"losses": losses}, labels, outlier


def test_planted_opposing_groups_pass_and_report_recall():
    results = []
    for seed in range(5):
        dynamics, labels, outlier = _planted(seed)
        results.append(opposing_signals_analysis(dynamics, labels, outlier, seed=seed))
    row = _row(results)
    assert row.verdict == "PASS", row.measured
    assert "5 of 5 seeds opposed" in row.measured
    assert (
        "recall 1.000" in row.measured.replace("recall ", "recall ", 1) or "1.000" in row.measured
    )


def test_unstructured_losses_fail():
    rng = np.random.default_rng(7)
    results = [
        opposing_signals_analysis(
            {"losses": 1 + 0.1 * rng.normal(size=(T, N))}, rng.integers(0, 2, N), seed=seed
        )
        for seed in range(5)
    ]
    row = _row(results)
    assert row.verdict == "FAIL", row.measured
    assert "n/a (none planted)" in row.measured


def test_groups_without_different_labels_fail_and_say_so():
    dynamics, _, _ = _planted(0)
    labels = np.zeros(N, dtype=int)
    row = _row([opposing_signals_analysis(dynamics, labels, seed=s) for s in range(3)])
    assert row.verdict == "FAIL" and "groups differ in label in 0 of 3" in row.measured
