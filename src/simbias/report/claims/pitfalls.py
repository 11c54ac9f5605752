"""Shah et al. 2020, The Pitfalls of Simplicity Bias in Neural Networks: networks rely on
the simplest feature only, whatever the training regime."""

from __future__ import annotations

from typing import Any

from simbias.report.claims._base import (
    CLAIMS,
    SB_SPLITS,
    Claim,
    ClaimRow,
    Evidence,
    fmt_stat,
    stat_of,
)

PAPER = "Shah et al. 2020, The Pitfalls of Simplicity Bias in Neural Networks"


@CLAIMS.register(
    "extreme_simplicity_bias",
    paper=PAPER,
    caption="The network relies exclusively on the simplest feature: S^c-randomised AUC stays "
    "at test AUC while S-randomised AUC falls to chance.",
)
class ExtremeSimplicityBias(Claim):
    """Per regime, on the means over seeds of the sb_metrics AUCs."""

    #: The network must have learned the task, or invariance to features means nothing.
    learned_auc = 0.90
    #: abs(S-rand AUC - 0.5) at most this counts as chance.
    chance_tolerance = 0.10
    #: S^c-rand AUC at least test AUC minus this counts as unchanged.
    invariance_tolerance = 0.05

    def criterion(self) -> str:
        return (
            f"test AUC >= {self.learned_auc}, abs(S-rand AUC - 0.5) <= {self.chance_tolerance} "
            f"and S^c-rand AUC >= test AUC - {self.invariance_tolerance} (means over seeds)"
        )

    def verdict(self, test: float, s_rand: float, sc_rand: float) -> str:
        learned = test >= self.learned_auc
        near_chance = abs(s_rand - 0.5) <= self.chance_tolerance
        invariant = sc_rand >= test - self.invariance_tolerance
        return "PASS" if learned and near_chance and invariant else "FAIL"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("sb_metrics", experiment)
        reference = spec.get("reference", {})
        paper_reports = ", ".join(
            f"{key.replace('_auc', '')} AUC {value:.3f}"
            for key, value in reference.items()
            if key.endswith("_auc")
        )
        rows = []
        for regime, part in summary.groupby("regime", sort=True):
            test, s_rand, sc_rand = (stat_of(part, split, "auc") for split in SB_SPLITS)
            accuracy = {split: stat_of(part, split, "accuracy") for split in SB_SPLITS}
            measured = (
                f"AUC test {fmt_stat(test)}, S-rand {fmt_stat(s_rand)}, S^c-rand "
                f"{fmt_stat(sc_rand)}; accuracy test {fmt_stat(accuracy['test'])}, S-rand "
                f"{fmt_stat(accuracy['s_rand'])}, S^c-rand {fmt_stat(accuracy['sc_rand'])}"
            )
            rows.append(self.row(
                claim=f"{spec['model']} on {spec['dataset']} relies only on the simple feature: "
                "S^c-randomised AUC stays at test AUC, S-randomised AUC falls to chance",
                experiment=experiment, regime=regime, measured=measured,
                criterion=self.criterion(), n_seeds=int(test["n"]),
                passed=self.verdict(test["mean"], s_rand["mean"], sc_rand["mean"]) == "PASS",
                paper_reports=paper_reports,
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "sb_survives_regimes",
    paper=f"{PAPER} (sec. 6)",
    caption="Ensembles and adversarial training fail to mitigate extreme simplicity bias: "
    "S-randomised accuracy stays near chance.",
)
class SimplicityBiasSurvivesRegimes(Claim):
    """Per regime of ``claim_regimes`` (default: every regime), on means over seeds."""

    learned_accuracy = 0.90
    chance_tolerance = 0.10

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary("sb_metrics", experiment)
        regimes = spec.get("claim_regimes") or sorted(summary["regime"].unique())
        rows = []
        for regime in regimes:
            part = summary[summary["regime"] == regime]
            if part.empty:
                raise ValueError(f"{self.name}: no sb_metrics for regime {regime!r}")
            test, s_rand = (stat_of(part, split, "accuracy") for split in ("test", "s_rand"))
            passed = (
                test["mean"] >= self.learned_accuracy
                and abs(s_rand["mean"] - 0.5) <= self.chance_tolerance
            )
            rows.append(self.row(
                claim=f"{regime} training of {spec['model']} on {spec['dataset']} still relies "
                "only on the simple feature (S-randomised accuracy near chance)",
                experiment=experiment, regime=regime,
                measured=f"accuracy test {fmt_stat(test)}, S-rand {fmt_stat(s_rand)}",
                criterion=f"test accuracy >= {self.learned_accuracy} and abs(S-rand accuracy - "
                f"0.5) <= {self.chance_tolerance} (means over seeds)",
                n_seeds=int(test["n"]), passed=passed,
            ))  # fmt: skip
        return rows
