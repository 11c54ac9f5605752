"""Rahaman et al. 2019, On the Spectral Bias of Neural Networks, and Tancik et al. 2020,
Fourier Features Let Networks Learn High Frequency Functions in Low Dimensional Domains:
a coordinate MLP learns the low frequencies of its target first, even when the high ones
carry more amplitude; a Gaussian Fourier-feature mapping of the right scale lets it fit an
image far better than raw coordinates, and one of too large a scale overfits.

The first claim reads the ``spectral_bias`` analysis (order_rho: Spearman's correlation of
frequency and the step at which it reaches half its amplitude), the others the
``image_fit`` analysis (PSNR on held-out and on training pixels).
"""

from __future__ import annotations

from typing import Any

from simbias.report.claims._base import (
    CLAIMS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_stat,
    interval_above_zero,
    intervals_apart,
    stat_of,
)

RAHAMAN = "Rahaman et al. 2019, On the Spectral Bias of Neural Networks"
TANCIK = (
    "Tancik et al. 2020, Fourier Features Let Networks Learn High Frequency Functions in Low "
    "Dimensional Domains"
)


def rises_with_frequency(rho: Any) -> bool:
    """The half-amplitude step rises with frequency: the 95% t interval of the per-seed
    rank correlation lies above 0 (at least two seeds)."""
    return interval_above_zero(rho)


@CLAIMS.register(
    "low_frequencies_learned_first",
    paper=RAHAMAN,
    caption="The step at which each frequency of the target reaches half its amplitude in the"
    " fit rises with frequency: Spearman's correlation above 0, 95% t interval over seeds.",
)
class LowFrequenciesLearnedFirst(Claim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("spectral_bias", experiment)
        rho = stat_of(summary, "order", "rho")
        reached = stat_of(summary, "order", "reached")
        steps = stat_of(summary, "order", "steps")
        return [self.row(
            claim=f"lower frequencies are learned first ({spec['model']} on {spec['dataset']})",
            experiment=experiment, regime=str(summary["regime"].iloc[0]),
            measured=f"rank correlation of frequency and half-amplitude step {fmt_stat(rho)};"
            f" {reached['mean']:.1f} of the frequencies reach half their amplitude in"
            f" {steps['mean']:.0f} steps",
            criterion="Spearman's rho of frequency and half-amplitude step: 95% t interval"
            " above 0",
            n_seeds=int(rho["n"]), passed=rises_with_frequency(rho),
            paper_reports="lower frequencies learned first, also with amplitudes rising with"
            " frequency (Rahaman et al. 2019, Fig. 1)",
        )]  # fmt: skip


def _image_stats(evidence: Evidence, experiment: str) -> tuple[Any, Any]:
    summary = evidence.summary("image_fit", experiment)
    return stat_of(summary, "test", "psnr"), stat_of(summary, "train", "psnr")


@CLAIMS.register(
    "fourier_features_beat_none",
    paper=TANCIK,
    caption="A Gaussian Fourier-feature mapping of the right scale fits an image's held-out"
    " pixels better than the raw coordinates: PSNR 95% t intervals apart, higher.",
)
class FourierFeaturesBeatNone(Claim):
    """``compare_experiment``: the same image and network without a mapping (a control
    without one compares that experiment with itself)."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        baseline = spec.get("compare_experiment") or experiment
        treated_test, _ = _image_stats(evidence, experiment)
        base_test, _ = _image_stats(evidence, baseline)
        gain = treated_test["mean"] - base_test["mean"]
        return [self.row(
            claim=f"{spec['model']} fits held-out pixels better than {baseline}'s network"
            f" ({spec['dataset']})",
            experiment=experiment, regime=f"{experiment} vs {baseline}",
            measured=f"held-out PSNR (dB) {experiment} {fmt_stat(treated_test)}, {baseline}"
            f" {fmt_stat(base_test)}; gain {gain:.2f} dB",
            criterion="held-out PSNR 95% t intervals do not overlap, the mapping higher",
            n_seeds=int(treated_test["n"]),
            passed=intervals_apart(treated_test, base_test, higher=True),
            paper_reports="Gaussian mapping of scale 10 far above no mapping (Tancik et al."
            " 2020, Demo.ipynb and Table 1: 2D natural images)",
        )]  # fmt: skip


@CLAIMS.register(
    "large_scale_overfits",
    paper=TANCIK,
    caption="A Fourier-feature mapping of too large a scale overfits: against a smaller"
    " scale, lower held-out PSNR and a larger train - held-out gap, 95% t intervals apart.",
)
class LargeScaleOverfits(Claim):
    """``compare_experiment``: the same image and network with the right scale."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        baseline = spec.get("compare_experiment") or experiment
        summary = evidence.summary("image_fit", experiment)
        base_summary = evidence.summary("image_fit", baseline)
        test, base_test = stat_of(summary, "test", "psnr"), stat_of(base_summary, "test", "psnr")
        gap, base_gap = stat_of(summary, "gap", "psnr"), stat_of(base_summary, "gap", "psnr")
        train = stat_of(summary, "train", "psnr")
        base_train = stat_of(base_summary, "train", "psnr")
        return [self.row(
            claim=f"{spec['model']} overfits against {baseline}'s network ({spec['dataset']})",
            experiment=experiment, regime=f"{experiment} vs {baseline}",
            measured=f"held-out PSNR (dB) {experiment} {fmt_stat(test)}, {baseline}"
            f" {fmt_stat(base_test)}; train - held-out gap {experiment} {fmt_stat(gap)},"
            f" {baseline} {fmt_stat(base_gap)}; train PSNR {train['mean']:.1f} vs"
            f" {base_train['mean']:.1f}",
            criterion="held-out PSNR lower and train - held-out gap larger, 95% t intervals"
            " apart",
            n_seeds=int(test["n"]),
            passed=intervals_apart(test, base_test, higher=False)
            and intervals_apart(gap, base_gap, higher=True),
            paper_reports="scale 100 overfits: high train PSNR, noisy held-out image (Tancik"
            " et al. 2020, Demo.ipynb, Fig. 4)",
        )]  # fmt: skip


@CLAIMS.register(
    "fourier_features_keep_thin_parts",
    paper=TANCIK,
    caption="A Gaussian Fourier-feature mapping of the right scale fits a signed distance"
    " field near the thin parts of its shape better than the raw coordinates: held-out mean"
    " absolute error there, 95% t intervals apart, lower.",
)
class FourierFeaturesKeepThinParts(Claim):
    """``compare_experiment``: the same SDF and network without a mapping (a control without
    one compares that experiment with itself)."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        baseline = spec.get("compare_experiment") or experiment
        treated = stat_of(evidence.summary("sdf_fit", experiment), "thin", "mae")
        base = stat_of(evidence.summary("sdf_fit", baseline), "thin", "mae")
        ratio = base["mean"] / treated["mean"] if treated["mean"] > 0 else float("inf")
        return [self.row(
            claim=f"{spec['model']} fits the thin parts' SDF better than {baseline}'s network"
            f" ({spec['dataset']})",
            experiment=experiment, regime=f"{experiment} vs {baseline}",
            measured=f"held-out SDF mean absolute error near thin parts {experiment}"
            f" {fmt_stat(treated)}, {baseline} {fmt_stat(base)}; {ratio:.1f}x lower",
            criterion="thin-part held-out MAE 95% t intervals do not overlap, the mapping"
            " lower",
            n_seeds=int(treated["n"]),
            passed=intervals_apart(treated, base, higher=False),
            paper_reports="Fourier features of the right scale recover fine detail that raw"
            " coordinates blur (Tancik et al. 2020, 3D shape occupancy and 2D images)",
        )]  # fmt: skip
