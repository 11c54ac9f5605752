"""Pay et al. 2025, SpaRTAN: the abstract's premise, measured. The paper builds SpaRTAN
because "both CNNs and transformers exhibit a simplicity bias, favoring straightforward
features over complex structural representations", and reports no measurement of it: the
claims below are derived from the abstract (SpaRTAN relies on the complex feature more than
a CNN of the same size), not from a number of the paper."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from simbias.report.claims._base import (
    CLAIMS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_stat,
    intervals_apart,
    regime_stat,
)

PAPER = (
    "Pay et al. 2025, SpaRTAN: Spatial Reinforcement Token-based Aggregation Network for "
    "Visual Recognition (IJCNN)"
)
#: Where the claim comes from: the paper makes no number for it.
DERIVED = "no number; derived from the abstract (SpaRTAN counters the simplicity bias of CNNs)"


def relies_more(treated: pd.Series, baseline: pd.Series, treated_learned: bool) -> bool:
    """The treated architecture has learned the task and its measure of complex-feature use
    is higher than the baseline's, their 95% t intervals apart (independent runs)."""
    return bool(treated_learned and intervals_apart(treated, baseline, higher=True))


class MoreThanTheCnn(Claim):
    """One probe's measure of complex-feature use (``split`` / ``metric`` of ``analysis``)
    of this experiment's architecture against ``compare_experiment``'s (the same-size CNN,
    trained alike), per regime; the task must be learned (``learned_split`` / ``metric`` at
    least ``learned_at``, mean over seeds)."""

    analysis: ClassVar[str]
    split: ClassVar[str]
    metric: ClassVar[str]
    label: ClassVar[str]
    learned_split: ClassVar[str]
    learned_metric: ClassVar[str]
    learned_at: ClassVar[float]

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        baseline_name = spec.get("compare_experiment")
        if not baseline_name:
            raise ValueError(f"{self.name}: {experiment} names no compare_experiment")
        treated_summary = evidence.summary(self.analysis, experiment)
        baseline_summary = evidence.summary(self.analysis, baseline_name)
        baseline_model = baseline_summary["model"].iloc[0]
        rows = []
        for regime in sorted(treated_summary["regime"].unique()):
            treated = regime_stat(treated_summary, regime, self.split, self.metric, self.name)
            baseline = regime_stat(baseline_summary, regime, self.split, self.metric, self.name)
            learned = regime_stat(
                treated_summary, regime, self.learned_split, self.learned_metric, self.name
            )
            rows.append(self.row(
                claim=f"{spec['model']} relies on the complex feature more than {baseline_model}"
                f" on {spec['dataset']}: higher {self.label}",
                experiment=experiment, regime=regime,
                measured=f"{self.label} {spec['model']} {fmt_stat(treated)}, {baseline_model}"
                f" ({baseline_name}) {fmt_stat(baseline)}; {spec['model']}"
                f" {self.learned_split} {self.learned_metric} {learned['mean']:.3f}",
                criterion=f"{spec['model']} {self.learned_split} {self.learned_metric} >="
                f" {self.learned_at} (mean) and the 95% t intervals of the {self.label} apart,"
                f" {spec['model']} higher",
                n_seeds=int(treated["n"]),
                passed=relies_more(treated, baseline, learned["mean"] >= self.learned_at),
                paper_reports=DERIVED,
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "spartan_relies_more_on_complex",
    paper=PAPER,
    caption="On dominoes, SpaRTAN keeps more of its ranking once the simple feature is"
    " shuffled than a CNN of the same size: a higher S-randomised AUC (derived from the"
    " abstract; compare_experiment is the CNN).",
)
class SpartanReliesMoreOnComplex(MoreThanTheCnn):
    analysis, split, metric, label = "sb_metrics", "s_rand", "auc", "S-randomised AUC"
    #: Pitfalls' LEARNED_AUC: invariance to a feature means nothing if the task is not learned.
    learned_split, learned_metric, learned_at = "test", "auc", 0.90


@CLAIMS.register(
    "spartan_more_shape_biased",
    paper=PAPER,
    caption="On cue-conflict images, SpaRTAN follows the shape (the complex cue) more often"
    " than a CNN of the same size: a higher shape bias (derived from the abstract;"
    " compare_experiment is the CNN).",
)
class SpartanMoreShapeBiased(MoreThanTheCnn):
    analysis, split, metric, label = "shape_bias", "shape", "bias", "shape bias"
    #: Cues agree on the test split: a network that has learned the task is right on most.
    learned_split, learned_metric, learned_at = "test", "accuracy", 0.90
