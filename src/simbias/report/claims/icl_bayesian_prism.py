"""Panwar, Ahuja & Goyal 2024, In-Context Learning through the Bayesian Prism: a transformer
pretrained on a mixture of function classes of rising complexity (Fourier series of maximum
frequency M uniform in 1..N) fits a short prompt the way the Bayes-optimal predictor of the
mixture does, with little power above the function's frequency (a simplicity bias that
comes from the pretraining prior); pretrained on the single class of every frequency up to
N it does not, and fits like least squares on every frequency (ridge). Either way it learns
in context: its error falls with the number of examples.

All three read the ``icl_regression`` analysis (simbias.analysis.icl_regression). The power
probe is the issue's: functions of maximum frequency 1, 3 to 5 in-context examples, the
share of the fit's DFT power above frequency 1, averaged over those k per seed; a fit
judged by it must also learn in context, as an untrained network's smooth output, which
ignores its context, has little power above frequency 1 as well. Each run
measures four predictors on the same functions; ``claim_predictor`` picks the one a claim
judges (``trained``, default; a control may name ``untrained``, ``bayes`` or ``ridge``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.aggregate import mean_ci
from simbias.report.claims._base import (
    CLAIMS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_values,
    regime_stat,
    seed_values,
)

PAPER = "Panwar, Ahuja & Goyal 2024, In-Context Learning through the Bayesian Prism"

ANALYSIS = "icl_regression"
#: The issue's probe: functions of maximum frequency 1 fitted from 3 to 5 examples, where
#: the Bayes-optimal fit (0.001-0.005 of its power above 1, the grid's leak) and ridge on
#: all N = 4 frequencies (0.35-0.59) differ most.
PROBE_FREQUENCY = 1
PROBE_EXAMPLES = (3, 4, 5)
#: Half way between Bayes (0) and ridge (1): a fit is nearer the one its interval stays on
#: the side of.
MIDWAY = 0.5
#: Learning in context: the error with the most examples at most this share of the error
#: with none (half: the Bayes-optimal predictors of both priors reach ~0 by then).
ERROR_SHARE = 0.5
#: How a row names the predictor it judges.
LABELS = {
    "trained": "transformer",
    "untrained": "untrained transformer",
    "bayes": "Bayes-optimal predictor",
    "ridge": "ridge",
}


def bayes_to_ridge(predictor: np.ndarray, bayes: np.ndarray, ridge: np.ndarray) -> np.ndarray:
    """Per seed, where the predictor's power share lies on the segment from the Bayes
    predictor's (0) to ridge's (1), all measured on the same functions; NaN where the two
    references do not differ (the probe cannot tell them apart)."""
    predictor, bayes, ridge = (np.asarray(v, dtype=float) for v in (predictor, bayes, ridge))
    gap = ridge - bayes
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(gap > 0, (predictor - bayes) / np.where(gap > 0, gap, 1.0), np.nan)


def _interval(values: np.ndarray) -> tuple[float, float] | None:
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or not np.isfinite(values).all():
        return None
    return mean_ci(values)


def nearer_bayes(position: np.ndarray) -> bool:
    """The 95% t interval of the per-seed position (:func:`bayes_to_ridge`) lies below
    MIDWAY: the fit is nearer the Bayes-optimal one than ridge's (two or more seeds)."""
    interval = _interval(position)
    return bool(interval is not None and interval[1] < MIDWAY)


def nearer_ridge(position: np.ndarray) -> bool:
    """The 95% t interval of the per-seed position lies above MIDWAY: nearer ridge."""
    interval = _interval(position)
    return bool(interval is not None and interval[0] > MIDWAY)


def learns_in_context(error_none: np.ndarray, error_most: np.ndarray) -> bool:
    """Per seed, the error with the most examples over the error with none: its 95% t
    interval lies below ERROR_SHARE (two or more seeds)."""
    error_none, error_most = np.asarray(error_none, float), np.asarray(error_most, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        interval = _interval(error_most / error_none)
    return bool(interval is not None and interval[1] < ERROR_SHARE)


def _reference(spec: dict[str, Any]) -> str:
    """The experiment's reference numbers (its ``reference``), for the paper column."""
    ref = spec.get("reference", {})
    if "bayes_power_low" not in ref:
        return ""
    return (
        f"reference at N = 4 (closed form, this probe): Bayes {ref['bayes_power_low']:g} to "
        f"{ref['bayes_power_high']:g}, ridge {ref['ridge_power_low']:g} to "
        f"{ref['ridge_power_high']:g}"
    )


class IclClaim(Claim):
    """What the three claims share: the runs' regimes, the predictor judged, their values."""

    def regimes(self, summary: pd.DataFrame, spec: dict[str, Any]) -> list[str]:
        return list(spec.get("claim_regimes") or sorted(summary["regime"].unique()))

    @staticmethod
    def predictor(spec: dict[str, Any]) -> str:
        return spec.get("claim_predictor") or "trained"

    def probe_share(self, summary: pd.DataFrame, regime: str, predictor: str) -> np.ndarray:
        """Per seed, the predictor's power share above PROBE_FREQUENCY, averaged over
        PROBE_EXAMPLES."""
        metrics = [f"m{PROBE_FREQUENCY}k{k}power" for k in PROBE_EXAMPLES]
        per_k = [
            seed_values(regime_stat(summary, regime, predictor, metric, self.name))
            for metric in metrics
        ]
        return np.mean(per_k, axis=0)

    def errors(
        self, summary: pd.DataFrame, regime: str, predictor: str
    ) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The numbers of examples measured, and per seed the predictor's squared error with
        the fewest and with the most of them."""
        part = summary[(summary["regime"] == regime) & (summary["split"] == predictor)]
        ks = sorted(
            int(m.group(1))
            for m in (re.fullmatch(r"k(\d+)error", name) for name in part["metric"])
            if m
        )
        if not ks:
            raise ValueError(f"{self.name}: no {predictor} errors for regime {regime!r}")
        none, most = (
            seed_values(regime_stat(summary, regime, predictor, f"k{k}error", self.name))
            for k in (ks[0], ks[-1])
        )
        return ks, none, most

    def position_row(
        self, evidence: Evidence, experiment: str, spec: dict[str, Any], nearer: str
    ) -> list[ClaimRow]:
        summary = evidence.summary(ANALYSIS, experiment)
        predictor = self.predictor(spec)
        rows = []
        for regime in self.regimes(summary, spec):
            share = self.probe_share(summary, regime, predictor)
            bayes = self.probe_share(summary, regime, "bayes")
            ridge = self.probe_share(summary, regime, "ridge")
            position = bayes_to_ridge(share, bayes, ridge)
            # A fit that ignores its context (an untrained network's smooth output) has
            # little power above frequency 1 too: only a fit that learns in context can be
            # the Bayes-optimal one's or ridge's.
            ks, none, most = self.errors(summary, regime, predictor)
            in_context = learns_in_context(none, most)
            near = nearer_bayes(position) if nearer == "bayes" else nearer_ridge(position)
            side = "below" if nearer == "bayes" else "above"
            rows.append(self.row(
                claim=f"pretrained on {spec['dataset']}, the transformer's fit of a short prompt"
                f" lies nearer {'the Bayes-optimal fit' if nearer == 'bayes' else 'ridge'}"
                f" ({spec['model']})",
                experiment=experiment, regime=regime,
                measured=f"power share above frequency {PROBE_FREQUENCY} ({PROBE_EXAMPLES[0]}"
                f" to {PROBE_EXAMPLES[-1]} examples): {LABELS[predictor]} {fmt_values(share)},"
                f" Bayes {fmt_values(bayes)}, ridge {fmt_values(ridge)}; position from Bayes (0)"
                f" to ridge (1) {fmt_values(position)}; squared error with {ks[-1]} over"
                f" {ks[0]} examples {fmt_values(most / none)}",
                criterion=f"95% t interval of the per-seed position (Bayes 0, ridge 1) "
                f"{side} {MIDWAY}, and of the error ratio ({ks[-1]} over {ks[0]} examples)"
                f" below {ERROR_SHARE} (it learns in context)",
                n_seeds=len(share), passed=near and in_context,
                paper_reports="; ".join(filter(None, [
                    "the mixture-pretrained transformer's fit has the Bayes predictor's"
                    " spectrum, the single-class one's does not (Fourier mixture figures)",
                    _reference(spec),
                ])),
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "icl_mixture_fit_near_bayes",
    paper=PAPER,
    caption="Pretrained on the Fourier mixture, the transformer's fit of a short prompt of a"
    " frequency-1 function puts its power on low frequencies: its share above the true"
    " frequency is nearer the Bayes-optimal predictor's than ridge's (95% t interval), and"
    " it learns in context (a fit that ignores its context is smooth too).",
)
class IclMixtureFitNearBayes(IclClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        return self.position_row(evidence, experiment, spec, nearer="bayes")


@CLAIMS.register(
    "icl_single_class_fit_tracks_ridge",
    paper=PAPER,
    caption="Pretrained on the single class of every frequency up to N, the transformer's"
    " fit of a short prompt does not favour low frequencies: its power share above the true"
    " frequency is nearer ridge's than the Bayes-optimal predictor's (95% t interval), and"
    " it learns in context.",
)
class IclSingleClassFitTracksRidge(IclClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        return self.position_row(evidence, experiment, spec, nearer="ridge")


@CLAIMS.register(
    "icl_error_falls_with_examples",
    paper=PAPER,
    caption="The transformer learns in context: its error on held-out prompts of its"
    " pretraining distribution with the most examples is under half its error with none"
    " (95% t interval of the per-seed ratio).",
)
class IclErrorFallsWithExamples(IclClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary(ANALYSIS, experiment)
        predictor = self.predictor(spec)
        rows = []
        for regime in self.regimes(summary, spec):
            ks, none, most = self.errors(summary, regime, predictor)
            _, bayes_none, bayes_most = self.errors(summary, regime, "bayes")
            bayes_ratio = bayes_most / bayes_none
            rows.append(self.row(
                claim=f"the transformer pretrained on {spec['dataset']} learns in context: its "
                f"error falls with the number of examples ({spec['model']})",
                experiment=experiment, regime=regime,
                measured=f"{LABELS[predictor]} squared error with {ks[0]} examples "
                f"{fmt_values(none)}, "
                f"with {ks[-1]} {fmt_values(most)}; ratio {fmt_values(most / none)}; the "
                f"Bayes-optimal predictor's ratio {fmt_values(bayes_ratio)}",
                criterion=f"95% t interval of the per-seed ratio error({ks[-1]} examples) / "
                f"error({ks[0]}) below {ERROR_SHARE}",
                n_seeds=len(most), passed=learns_in_context(none, most),
                paper_reports="the transformer's error falls with the prompt length, close to "
                "the Bayes-optimal predictor's (Panwar et al., Fourier series figures)",
            ))  # fmt: skip
        return rows
