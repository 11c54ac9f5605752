"""Hu et al. 2025 (FARMS): plain ESD alpha is biased by a matrix's aspect ratio; alpha of
fixed-aspect-ratio submatrices is not."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from simbias.report.claims._base import CLAIMS, Claim, ClaimRow, Evidence


@CLAIMS.register(
    "farms_removes_aspect_ratio_bias",
    paper="Hu et al. 2025, Eigenspectrum Analysis of Neural Networks without Aspect Ratio "
    "Bias (FARMS)",
    caption="Plain ESD alpha of i.i.d. Gaussian matrices drifts with the aspect ratio Q; "
    "FARMS alpha does not.",
)
class FarmsRemovesAspectRatioBias(Claim):
    """With Q in {1, 2, 4, 8}: the plain alphas' range over Q is at least 0.5, and the FARMS
    range at most a quarter of it. One row per alpha estimator (WeightWatcher's KS-fitted
    power law, and the Hill estimate)."""

    min_plain_range = 0.5
    max_ratio = 0.25

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("aspect_ratio", experiment)
        means = summary.groupby("key")["mean"].mean()
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
            rows.append(self.row(
                claim=f"FARMS removes the aspect-ratio dependence of {estimator} (Gaussian "
                "matrices)",
                experiment=experiment, regime="n/a",
                measured=f"plain {shown['plain']} (range {ranges['plain']:.2f}); FARMS "
                f"{shown['FARMS']} (range {ranges['FARMS']:.2f})",
                criterion=f"plain range >= {self.min_plain_range} and FARMS range <= "
                f"{self.max_ratio} x plain range",
                n_seeds=n_seeds, passed=bool(passed),
                paper_reports="plain alpha drifts with Q; FARMS alpha does not",
                variant=estimator,
            ))  # fmt: skip
        return rows
