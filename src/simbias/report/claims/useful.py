"""Nguyen et al. 2024 (USEFUL): SAM learns the slow-learnable feature earlier and the two
features more uniformly early in training (a narrower fast-slow alignment gap), and
upsampling the slow-learnable cluster improves test accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.aggregate import paired_ci
from simbias.report.claims._base import CLAIMS, Claim, ClaimRow, Evidence, fmt_values

PAPER = (
    "Nguyen et al. 2024, Changing the Training Data Distribution to Reduce Simplicity Bias (USEFUL)"
)


def paired_improvement(treated: np.ndarray, baseline: np.ndarray) -> bool:
    """Paired by seed: the 95% t interval of ``treated - baseline`` lies above 0."""
    _, low, _, _ = paired_ci(treated, baseline)
    return bool(len(treated) > 1 and low > 0)


def learns_earlier(challenger: np.ndarray, baseline: np.ndarray, horizon: float) -> bool:
    """Paired by seed (the same seed, the same initialisation): every challenger seed reaches
    the threshold, and the 95% t interval of its epoch minus the baseline's lies below 0.
    A baseline seed that never reaches it counts as ``horizon``."""
    challenger, baseline = np.asarray(challenger, float), np.asarray(baseline, float)
    if not np.isfinite(challenger).all() or len(challenger) < 2:
        return False
    _, _, high, _ = paired_ci(challenger, np.where(np.isfinite(baseline), baseline, horizon))
    return bool(high < 0)


def narrower_gap(challenger: np.ndarray, baseline: np.ndarray) -> bool:
    """Paired by seed: the 95% t interval of the challenger's gap minus the baseline's lies
    below 0 (two or more seeds)."""
    _, _, high, _ = paired_ci(challenger, baseline)
    return bool(len(challenger) > 1 and high < 0)


@CLAIMS.register(
    "sam_learns_slow_feature_earlier",
    paper=PAPER,
    caption="SAM learns the slow-learnable feature earlier than GD (the paper's theorem).",
)
class SamLearnsSlowFeatureEarlier(Claim):
    """Measured per run as the first epoch at which the slow-feature alignment reaches twice
    its value after the first epoch (the feature has grown beyond its initial scale)."""

    growth = 2.0

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        history = evidence.histories[evidence.histories["experiment"] == experiment]
        baseline, challenger = spec.get("claim_regimes") or ["gd", "sam"]
        if "align_slow" not in history:
            raise ValueError(f"{self.name}: experiment {experiment} has no align_slow history")

        def crossing_epochs(regime: str) -> tuple[np.ndarray, np.ndarray]:
            epochs, finals = [], []
            for _, run in history[history["regime"] == regime].groupby("seed"):
                run = run.sort_values("epoch")
                threshold = self.growth * run["align_slow"].iloc[0]
                reached = run[run["align_slow"] >= threshold]["epoch"]
                epochs.append(reached.min() if len(reached) else np.inf)
                finals.append(run["align_slow"].iloc[-1])
            return np.asarray(epochs, dtype=float), np.asarray(finals)

        (gd, gd_final), (sam, sam_final) = crossing_epochs(baseline), crossing_epochs(challenger)

        def describe(epochs: np.ndarray) -> str:
            never = int((~np.isfinite(epochs)).sum())
            if never == len(epochs):
                return "never"
            reached = epochs[np.isfinite(epochs)]
            suffix = f" ({never} of {len(epochs)} seeds never)" if never else ""
            return f"{fmt_values(reached)}{suffix}"

        # A seed that never reaches the threshold counts as the end of training.
        horizon = float(history["epoch"].max()) + 1
        passed = learns_earlier(sam, gd, horizon)
        shift, low, high, _ = paired_ci(
            np.where(np.isfinite(sam), sam, horizon), np.where(np.isfinite(gd), gd, horizon)
        )
        measured = (
            f"first epoch with slow alignment >= {self.growth:g}x its epoch-1 value: "
            f"{baseline} {describe(gd)}, {challenger} {describe(sam)}; paired difference "
            f"{shift:+.1f} [{low:+.1f}, {high:+.1f}] epochs; final slow alignment "
            f"{baseline} {fmt_values(gd_final)}, {challenger} {fmt_values(sam_final)}"
        )
        return [self.row(
            claim=f"{challenger} learns the slow-learnable feature earlier than {baseline} "
            f"({spec['model']} on {spec['dataset']})",
            experiment=experiment, regime=f"{challenger} vs {baseline}", measured=measured,
            criterion=f"every {challenger} seed reaches {self.growth:g}x its epoch-1 slow "
            f"alignment, and the 95% t interval of its epoch minus {baseline}'s (paired by "
            "seed; a seed that never does counts as the last epoch + 1) lies below 0",
            n_seeds=int(min(len(gd), len(sam))), passed=passed,
        )]  # fmt: skip


def alignment_gaps(history: pd.DataFrame, regime: str, early_fraction: float) -> np.ndarray:
    """Per seed (sorted), the mean of ``align_fast - align_slow`` over the run's first
    ``early_fraction`` of epochs (at least one epoch)."""
    part = history[history["regime"] == regime]
    if part.empty:
        raise ValueError(f"no alignment history for regime {regime!r}")
    gaps = []
    for _, run in part.groupby("seed", sort=True):
        last = max(1, int(np.floor(early_fraction * run["epoch"].max())))
        early = run[run["epoch"] <= last]
        gaps.append(float((early["align_fast"] - early["align_slow"]).mean()))
    return np.asarray(gaps)


@CLAIMS.register(
    "sam_narrows_feature_gap",
    paper=PAPER,
    caption="Early in training, SAM's filters align with the fast and the slow feature more "
    "evenly than GD's: a smaller fast-minus-slow alignment gap (the paper's appendix figure).",
)
class SamNarrowsFeatureGap(Claim):
    """The paper plots ``align_fast - align_slow`` over iterations, GD's gap opening early
    and SAM's staying smaller. "Early" here is the first tenth of training: USEFUL separates
    the fast- from the slow-learnable examples at 5-10% of training (the paper's Figure 7),
    and on the toy data after 200 iterations (its t-SNE figure). Per seed, the gap is the
    mean over those epochs; seeds are paired (the same initialisation)."""

    early_fraction = 0.1

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        history = evidence.histories[evidence.histories["experiment"] == experiment]
        baseline, challenger = spec.get("claim_regimes") or ["gd", "sam"]
        if not {"align_fast", "align_slow"} <= set(history):
            raise ValueError(f"{self.name}: experiment {experiment} has no alignment history")
        gd = alignment_gaps(history, baseline, self.early_fraction)
        sam = alignment_gaps(history, challenger, self.early_fraction)
        if len(gd) != len(sam):
            raise ValueError(
                f"{self.name}: {experiment} has {len(gd)} {baseline} seeds and "
                f"{len(sam)} {challenger} seeds; the gaps are paired by seed"
            )
        shift, low, high, p_value = paired_ci(sam, gd)
        last = max(1, int(np.floor(self.early_fraction * history["epoch"].max())))
        measured = (
            f"mean align_fast - align_slow over epochs 1-{last}: {baseline} {fmt_values(gd)}, "
            f"{challenger} {fmt_values(sam)}; paired difference {shift:+.4f} "
            f"[{low:+.4f}, {high:+.4f}], paired t-test p = {p_value:.3g}"
        )
        return [self.row(
            claim=f"{challenger} learns the fast and the slow feature more evenly early in "
            f"training than {baseline} ({spec['model']} on {spec['dataset']})",
            experiment=experiment, regime=f"{challenger} vs {baseline}", measured=measured,
            criterion=f"the 95% t interval of {challenger}'s early gap minus {baseline}'s "
            f"(paired by seed; early = the first {self.early_fraction:.0%} of epochs) lies "
            "below 0",
            n_seeds=len(gd), passed=narrower_gap(sam, gd),
        )]  # fmt: skip


@CLAIMS.register(
    "useful_improves_test_accuracy",
    paper=PAPER,
    caption="Upsampling the slow-learnable cluster once improves in-distribution test "
    "accuracy, with SGD and with SAM.",
)
class UsefulImprovesTestAccuracy(Claim):
    """Paired by seed: the t interval of the difference in test accuracy."""

    default_pairs = (("useful", "sgd"), ("useful+sam", "sam"))

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        runs = evidence.runs[evidence.runs["experiment"] == experiment]
        pairs = spec.get("claim_pairs") or [list(p) for p in self.default_pairs]
        rows = []
        for treated, baseline in pairs:
            accuracy = runs.pivot_table(index="seed", columns="regime", values="test_accuracy")
            if treated not in accuracy or baseline not in accuracy:
                raise ValueError(f"{self.name}: experiment {experiment} lacks {treated}/{baseline}")
            both = accuracy[[treated, baseline]].dropna().sort_index()
            shift, low, high, p_value = paired_ci(both[treated], both[baseline])
            rows.append(self.row(
                claim=f"{treated} raises test accuracy over {baseline} "
                f"({spec['model']} on {spec['dataset']})",
                experiment=experiment, regime=f"{treated} vs {baseline}",
                measured=f"test accuracy {treated} {fmt_values(both[treated].to_numpy())}, "
                f"{baseline} {fmt_values(both[baseline].to_numpy())}; paired difference "
                f"{shift:+.4f} [{low:+.4f}, {high:+.4f}], paired t-test p = {p_value:.3g}",
                criterion="95% t interval of the paired (by seed) difference above 0",
                n_seeds=len(both),
                passed=paired_improvement(both[treated].to_numpy(), both[baseline].to_numpy()),
            ))  # fmt: skip
        return rows
