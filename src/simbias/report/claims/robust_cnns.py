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
    with 95% CIs that do not overlap (seeds are independent runs, so no pairing). A claim
    with ``variants`` ((variant, split, metric, label) each) writes one row per regime and
    variant, in that order."""

    analysis: ClassVar[str]
    split: ClassVar[str]
    metric: ClassVar[str]
    label: ClassVar[str]
    higher: ClassVar[bool]
    variants: ClassVar[tuple[tuple[str, str, str, str], ...]] = ()
    baseline = "sgd"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary(self.analysis, experiment)
        regimes = spec.get("claim_regimes") or sorted(
            r for r in summary["regime"].unique() if r.startswith("adv")
        )
        variants = self.variants or (("", self.split, self.metric, self.label),)
        direction = "higher" if self.higher else "lower"
        rows = []
        for regime in regimes:
            for variant, split, metric, label in variants:
                base = regime_stat(summary, self.baseline, split, metric, self.name)
                robust = regime_stat(summary, regime, split, metric, self.name)
                rows.append(self.row(
                    claim=f"{regime} ({spec['model']} on {spec['dataset']}) has {direction} "
                    f"{label} than {self.baseline}",
                    experiment=experiment, regime=f"{regime} vs {self.baseline}",
                    measured=f"{label} {regime} {fmt_stat(robust)}, {self.baseline} "
                    f"{fmt_stat(base)}",
                    criterion=f"95% t intervals do not overlap, {regime} {direction}",
                    n_seeds=int(robust["n"]),
                    passed=intervals_apart(robust, base, self.higher),
                    paper_reports=f"R models {direction} (ImageNet CNNs)", variant=variant,
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
    "robust_activations_smoother",
    paper=PAPER,
    caption="Channels of adversarially trained models have smoother activation maps (lower "
    "total variation, mean over layers) than the standard one, on clean and on noisy test "
    "images (anguyen8/shape-bias tv_obs.py).",
)
class RobustActivationsSmoother(RobustVersusStandard):
    analysis, higher = "neuron_simplicity", False
    variants = tuple(
        (images, "mean_act_tv", images, f"activation-map total variation, {images} images")
        for images in ("clean", "noisy")
    )


@CLAIMS.register(
    "robust_neurons_fewer_input_types",
    paper=PAPER,
    caption="Neurons of adversarially trained models respond to fewer classes among their "
    "top-k test images (NetDissect's k = 10) than those of the standard one.",
)
class RobustNeuronsFewerInputTypes(RobustVersusStandard):
    analysis, split, metric = "neuron_simplicity", "mean_input", "types"
    label, higher = "distinct classes among a channel's top-k test images (mean over layers)", False
