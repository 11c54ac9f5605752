"""Chen, Agarwal, Nguyen 2020: adversarially trained ("R") CNNs are more shape-biased and
their neurons simpler than standard ones."""

from __future__ import annotations

from typing import Any, ClassVar

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
    "Chen, Agarwal, Nguyen 2020, The shape and simplicity biases of adversarially robust "
    "ImageNet-trained CNNs"
)


class RobustVersusStandard(Claim):
    """A per-run metric of R models against the standard one (regime ``sgd``). Each regime
    in ``claim_regimes`` (default: the adversarial ones) must differ in the claimed direction
    with 95% CIs that do not overlap (seeds are independent runs, so no pairing)."""

    analysis: ClassVar[str]
    split: ClassVar[str]
    metric: ClassVar[str]
    label: ClassVar[str]
    higher: ClassVar[bool]
    baseline = "sgd"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary(self.analysis, experiment)
        regimes = spec.get("claim_regimes") or sorted(
            r for r in summary["regime"].unique() if r.startswith("adv")
        )
        base = regime_stat(summary, self.baseline, self.split, self.metric, self.name)
        rows = []
        for regime in regimes:
            robust = regime_stat(summary, regime, self.split, self.metric, self.name)
            passed = intervals_apart(robust, base, self.higher)
            direction = "higher" if self.higher else "lower"
            rows.append(self.row(
                claim=f"{regime} ({spec['model']} on {spec['dataset']}) has {direction} "
                f"{self.label} than {self.baseline}",
                experiment=experiment, regime=f"{regime} vs {self.baseline}",
                measured=f"{self.label} {regime} {fmt_stat(robust)}, {self.baseline} "
                f"{fmt_stat(base)}",
                criterion=f"95% t intervals do not overlap, {regime} {direction}",
                n_seeds=int(robust["n"]), passed=bool(passed),
                paper_reports=f"R models {direction} (ImageNet CNNs)",
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "robust_models_shape_biased",
    paper=PAPER,
    caption="Adversarially trained models have a higher shape bias on cue-conflict images "
    "than the standard one.",
)
class RobustModelsShapeBiased(RobustVersusStandard):
    analysis, split, metric, label, higher = "shape_bias", "shape", "bias", "shape bias", True


@CLAIMS.register(
    "robust_filters_smoother",
    paper=PAPER,
    caption="Adversarially trained models have smoother first-layer filters (lower total "
    "variation) than the standard one.",
)
class RobustFiltersSmoother(RobustVersusStandard):
    analysis, split, metric = "neuron_simplicity", "filter", "tv"
    label, higher = "first-layer filter total variation", False


@CLAIMS.register(
    "robust_neurons_fewer_input_types",
    paper=PAPER,
    caption="Neurons of adversarially trained models respond to fewer input types among "
    "their top-20 inputs than those of the standard one.",
)
class RobustNeuronsFewerInputTypes(RobustVersusStandard):
    analysis, split, metric = "neuron_simplicity", "mean_input", "types"
    label, higher = "input types per neuron (top-20 inputs, mean over layers)", False
