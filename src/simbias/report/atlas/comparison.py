"""Each regime against its reference regime (same dataset and model): the 95% interval of
the difference of means, and whether it includes 0 (the difference is within noise)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from simbias.analysis.aggregate import LEVEL, paired_ci
from simbias.report.atlas.table import metric_rows

#: A cell within noise of its reference regime's, and the reference regime's own rows.
NOISE_MARK = "≈"
REFERENCE_MARK = "(ref)"
COMPARISON_COLUMNS = [
    "dataset", "model", "regime", "group", "analysis", "metric", "reference", "method",
    "n", "n_reference", "difference", "ci_low", "ci_high", "within_noise",
]  # fmt: skip


def reference_regimes(frame: pd.DataFrame, references: list[str]) -> dict[tuple, str]:
    """(dataset, model) -> the first of ``references`` that dataset and model were trained
    with; pairs that have none of them are left out."""
    chosen = {}
    for (dataset, model), part in frame.groupby(["dataset", "model"], sort=True):
        present = set(part["regime"])
        first = next((regime for regime in references if regime in present), None)
        if first is not None:
            chosen[dataset, model] = first
    return chosen


def welch_ci(
    treated: np.ndarray, baseline: np.ndarray, level: float = LEVEL
) -> tuple[float, float, float]:
    """Difference of means ``treated - baseline`` of two independent samples (n >= 2 each)
    and its Welch t interval."""
    treated, baseline = np.asarray(treated, float), np.asarray(baseline, float)
    difference = float(treated.mean() - baseline.mean())
    spread = treated.var(ddof=1) / len(treated), baseline.var(ddof=1) / len(baseline)
    se = float(np.sqrt(sum(spread)))
    if se == 0:
        return difference, difference, difference
    # Welch-Satterthwaite degrees of freedom.
    df = sum(spread) ** 2 / (
        spread[0] ** 2 / (len(treated) - 1) + spread[1] ** 2 / (len(baseline) - 1)
    )
    half = float(scipy_stats.t.ppf((1 + level) / 2, df)) * se
    return difference, difference - half, difference + half


def difference_ci(treated: pd.Series, baseline: pd.Series) -> tuple[str, float, float, float]:
    """``treated - baseline`` (values indexed by seed): paired by seed when both have the
    same seeds, else Welch; (method, difference, low, high). Fewer than 2 seeds on either
    side: no interval (method "none", NaNs)."""
    if min(len(treated), len(baseline)) < 2:
        return "none", np.nan, np.nan, np.nan
    if set(treated.index) == set(baseline.index):
        seeds = sorted(treated.index)
        difference, low, high, _ = paired_ci(treated[seeds], baseline[seeds])
        return "paired", difference, low, high
    return "welch", *welch_ci(treated.to_numpy(), baseline.to_numpy())


def compare_to_reference(
    frame: pd.DataFrame, metrics: list[dict[str, str]], references: list[str]
) -> pd.DataFrame:
    """Every group that is not its dataset/model's reference regime, on every headline
    metric both measured (finite values only): COMPARISON_COLUMNS, one row each."""
    chosen_reference = reference_regimes(frame, references)
    rows = []
    for metric in metrics:
        values = metric_rows(frame, metric["analysis"], metric["key"])
        for (dataset, model), part in values.groupby(["dataset", "model"], sort=True):
            reference = chosen_reference.get((dataset, model))
            baseline_part = part[part["regime"] == reference]
            if baseline_part.empty:
                continue
            # Several groups of the reference regime: the first by name is the baseline.
            baseline_group = sorted(baseline_part["group"].unique())[0]
            baseline = baseline_part[baseline_part["group"] == baseline_group]
            baseline = baseline.set_index("seed")["value"]
            for group, treated_part in part.groupby("group", sort=True):
                if group == baseline_group:
                    continue
                treated = treated_part.set_index("seed")["value"]
                method, difference, low, high = difference_ci(treated, baseline)
                rows.append(
                    {
                        "dataset": dataset,
                        "model": model,
                        "regime": treated_part["regime"].iloc[0],
                        "group": group,
                        "analysis": metric["analysis"],
                        "metric": metric["key"],
                        "reference": reference,
                        "method": method,
                        "n": len(treated),
                        "n_reference": len(baseline),
                        "difference": difference,
                        "ci_low": low,
                        "ci_high": high,
                        "within_noise": bool(low <= 0 <= high) if method != "none" else None,
                    }
                )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
