"""Claims on training dynamics (Rosenfeld & Risteski 2023; the edge of stability) and on
weight spectra (FARMS, 2025). Criteria are fixed here before any result is seen."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from simbias.report.claims import ClaimCheck, Evidence, _fmt, _regime_stat, _row
from simbias.report.tables import metric_keys


class OpposingGroupsOscillate(ClaimCheck):
    """The two groups of examples whose loss changes most move in opposition: their loss
    changes are negatively correlated (95% CI below 0)."""

    name = "opposing_groups_oscillate"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or sorted(summary["regime"].unique()):
            stat = _regime_stat(summary, regime, "opposition", "correlation", self.name)
            measured = f"correlation of the groups' loss changes {_fmt(stat)}"
            if not np.isfinite(stat["mean"]):
                sizes = [_regime_stat(summary, regime, f"group_{g}", "size", self.name)["mean"]
                         for g in "ab"]  # fmt: skip
                measured += (
                    f" (group sizes {sizes[0]:.1f} and {sizes[1]:.1f} on average: in some seed"
                    " every top-changing example moves the same way, so no opposing pair)"
                )
            rows.append(_row(
                spec,
                f"under {regime}, the paired outlier groups' losses oscillate in opposition "
                f"({spec['model']} on {spec['dataset']})",
                experiment, regime, measured,
                "95% CI of the correlation entirely below 0",
                int(stat["n"]), bool(stat["ci_high"] < 0),
                paper_reports="opposing groups' losses oscillate in opposition",
            ))  # fmt: skip
        return rows


class SharpnessReachesTwoOverLr(ClaimCheck):
    """Full-batch GD: sharpness rises to about 2 / lr (the edge of stability): the largest
    sharpness measured, in units of 2 / lr, lies in [0.9, 1.5]."""

    name = "sharpness_reaches_two_over_lr"
    low, high = 0.9, 1.5

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for regime in spec.get("claim_regimes") or ["gd"]:
            ratio = _regime_stat(summary, regime, "sharpness_over_two_over", "lr", self.name)
            final = _regime_stat(summary, regime, "final", "sharpness", self.name)
            bound = _regime_stat(summary, regime, "two_over", "lr", self.name)
            passed = self.low <= ratio["mean"] <= self.high
            rows.append(_row(
                spec,
                f"under {regime}, sharpness rises to about 2/lr ({spec['model']} on "
                f"{spec['dataset']})",
                experiment, regime,
                f"max sharpness / (2/lr) {_fmt(ratio)}; final sharpness {_fmt(final)}, "
                f"2/lr {bound['mean']:.3g}",
                f"mean of max sharpness / (2/lr) in [{self.low}, {self.high}]",
                int(ratio["n"]), bool(passed),
                paper_reports="sharpness hovers at 2/lr under GD (edge of stability)",
            ))  # fmt: skip
        return rows


class SamEndsFlatter(ClaimCheck):
    """SAM ends in a flatter region than the same optimizer without it: lower final
    sharpness, 95% CIs apart. ``claim_pairs``: [[sam regime, baseline]] (default
    [[gd+sam, gd]])."""

    name = "sam_ends_flatter"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("opposing_signals", experiment)
        rows = []
        for treated, baseline in spec.get("claim_pairs") or [["gd+sam", "gd"]]:
            sam = _regime_stat(summary, treated, "final", "sharpness", self.name)
            base = _regime_stat(summary, baseline, "final", "sharpness", self.name)
            rows.append(_row(
                spec,
                f"{treated} ends flatter than {baseline} ({spec['model']} on {spec['dataset']})",
                experiment, f"{treated} vs {baseline}",
                f"final sharpness {treated} {_fmt(sam)}, {baseline} {_fmt(base)}",
                "95% CIs do not overlap, SAM lower",
                int(sam["n"]), bool(sam["ci_high"] < base["ci_low"]),
                paper_reports="SAM finds flatter minima (Foret et al. 2021)",
            ))  # fmt: skip
        return rows


class FarmsRemovesAspectRatioBias(ClaimCheck):
    """FARMS (2025): plain ESD alpha of i.i.d. Gaussian matrices drifts with the aspect
    ratio Q; FARMS alpha does not. With Q in {1, 2, 4, 8}: the plain alphas' range over Q
    is at least 0.5, and the FARMS range at most a quarter of it. One row per alpha
    estimator (WeightWatcher's KS-fitted power law, and the Hill estimate)."""

    name = "farms_removes_aspect_ratio_bias"
    min_plain_range = 0.5
    max_ratio = 0.25

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("aspect_ratio", experiment)
        means = summary.assign(key=metric_keys(summary)).groupby("key")["mean"].mean()
        n_seeds = int(summary["n"].max())
        rows = []
        for estimator, suffix in (("KS-fitted alpha", ""), ("Hill alpha", "_hill")):
            ranges, shown = {}, {}
            for method, prefix in (("plain", ""), ("FARMS", "farms_")):
                pattern = re.compile(rf"^gauss_q(\d+)_{prefix}alpha{suffix}$")
                values = {
                    int(match.group(1)): value
                    for key, value in means.items()
                    if (match := pattern.match(key))
                }
                if not values:
                    raise ValueError(f"{self.name}: no {pattern.pattern} in aspect_ratio results")
                qs = sorted(values)
                ranges[method] = float(np.ptp([values[q] for q in qs]))
                shown[method] = ", ".join(f"Q={q}: {values[q]:.2f}" for q in qs)
            passed = (
                ranges["plain"] >= self.min_plain_range
                and ranges["FARMS"] <= self.max_ratio * ranges["plain"]
            )
            rows.append(_row(
                spec,
                f"FARMS removes the aspect-ratio dependence of {estimator} (Gaussian matrices)",
                experiment, "n/a",
                f"plain {shown['plain']} (range {ranges['plain']:.2f}); FARMS "
                f"{shown['FARMS']} (range {ranges['FARMS']:.2f})",
                f"plain range >= {self.min_plain_range} and FARMS range <= "
                f"{self.max_ratio} x plain range",
                n_seeds, bool(passed),
                paper_reports="plain alpha drifts with Q; FARMS alpha does not",
            ))  # fmt: skip
        return rows
