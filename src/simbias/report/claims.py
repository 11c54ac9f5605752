"""Published claims, measured: each claim reads the evidence of one experiment and says
PASS or FAIL against a criterion fixed here, before any result is seen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from simbias.analysis.aggregate import bootstrap_ci
from simbias.io import write_json_atomic, write_text_atomic

SB_SPLITS = ("test", "s_rand", "sc_rand")
CLAIM_COLUMNS = [
    "paper", "claim", "experiment", "regime", "measured", "paper_reports", "criterion",
    "n_seeds", "verdict",
]  # fmt: skip


@dataclass
class Evidence:
    """What claims read: per-analysis summaries over seeds, per-run final metrics, and
    per-epoch histories, each with the run keys (experiment, dataset, model, regime, seed)."""

    summaries: dict[str, pd.DataFrame] = field(default_factory=dict)
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    histories: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self, analysis: str, experiment: str) -> pd.DataFrame:
        if analysis not in self.summaries:
            raise ValueError(f"claims need the {analysis} analysis; add it to the experiment")
        table = self.summaries[analysis]
        part = table[table["experiment"] == experiment]
        if part.empty:
            raise ValueError(f"no {analysis} results for experiment {experiment!r}")
        return part


class ClaimCheck:
    """A claim of a paper, checked on one experiment's evidence."""

    name: ClassVar[str]
    registry: ClassVar[dict[str, type[ClaimCheck]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:  # abstract families leave it empty
            ClaimCheck.registry[cls.name] = cls

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        raise NotImplementedError


def _stat(summary: pd.DataFrame, split: str, metric: str) -> pd.Series:
    match = summary[(summary["split"] == split) & (summary["metric"] == metric)]
    if len(match) != 1:
        raise ValueError(f"expected one summary row for {split} {metric}, found {len(match)}")
    return match.iloc[0]


def _regime_stat(
    summary: pd.DataFrame, regime: str, split: str, metric: str, claim: str
) -> pd.Series:
    """The one summary row of ``regime`` for ``split`` / ``metric``."""
    part = summary[summary["regime"] == regime]
    if part.empty:
        raise ValueError(f"{claim}: no results for regime {regime!r}")
    return _stat(part, split, metric)


def _fmt(stat: pd.Series) -> str:
    return f"{stat['mean']:.3f} [{stat['ci_low']:.3f}, {stat['ci_high']:.3f}]"


def _fmt_values(values: np.ndarray) -> str:
    low, high = bootstrap_ci(values)
    return f"{np.mean(values):.3f} [{low:.3f}, {high:.3f}]"


def _row(
    spec: dict,
    claim: str,
    experiment: str,
    regime: str,
    measured: str,
    criterion: str,
    n_seeds: int,
    passed: bool,
    paper_reports: str = "",
) -> dict[str, Any]:
    return {
        "paper": spec.get("paper", ""), "claim": claim, "experiment": experiment,
        "regime": regime, "measured": measured, "paper_reports": paper_reports or "n/a",
        "criterion": criterion, "n_seeds": n_seeds, "verdict": "PASS" if passed else "FAIL",
    }  # fmt: skip


class ExtremeSimplicityBias(ClaimCheck):
    """Shah et al. 2020: networks rely exclusively on the simplest feature, so
    S^c-randomised AUC stays at test AUC while S-randomised AUC falls to chance."""

    name = "extreme_simplicity_bias"
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

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("sb_metrics", experiment)
        reference = spec.get("reference", {})
        paper_reports = ", ".join(
            f"{key.replace('_auc', '')} AUC {value:.3f}"
            for key, value in reference.items()
            if key.endswith("_auc")
        )
        rows = []
        for regime, part in summary.groupby("regime", sort=True):
            test, s_rand, sc_rand = (_stat(part, split, "auc") for split in SB_SPLITS)
            accuracy = {split: _stat(part, split, "accuracy") for split in SB_SPLITS}
            measured = (
                f"AUC test {_fmt(test)}, S-rand {_fmt(s_rand)}, S^c-rand {_fmt(sc_rand)}; "
                f"accuracy test {_fmt(accuracy['test'])}, S-rand "
                f"{_fmt(accuracy['s_rand'])}, S^c-rand {_fmt(accuracy['sc_rand'])}"
            )
            claim = (
                f"{spec['model']} on {spec['dataset']} relies only on the simple feature: "
                "S^c-randomised AUC stays at test AUC, S-randomised AUC falls to chance"
            )
            verdict = self.verdict(test["mean"], s_rand["mean"], sc_rand["mean"])
            rows.append(
                _row(
                    spec,
                    claim,
                    experiment,
                    regime,
                    measured,
                    self.criterion(),
                    int(test["n"]),
                    verdict == "PASS",
                    paper_reports,
                )
            )
        return rows


class SimplicityBiasSurvivesRegimes(ClaimCheck):
    """Shah et al. 2020, sec. 6: ensembles and adversarial training fail to mitigate extreme
    simplicity bias: S-randomised accuracy stays near chance."""

    name = "sb_survives_regimes"
    learned_accuracy = 0.90
    chance_tolerance = 0.10

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary("sb_metrics", experiment)
        regimes = spec.get("claim_regimes") or sorted(summary["regime"].unique())
        rows = []
        for regime in regimes:
            part = summary[summary["regime"] == regime]
            if part.empty:
                raise ValueError(f"{self.name}: no sb_metrics for regime {regime!r}")
            test, s_rand = (_stat(part, split, "accuracy") for split in ("test", "s_rand"))
            passed = (
                test["mean"] >= self.learned_accuracy
                and abs(s_rand["mean"] - 0.5) <= self.chance_tolerance
            )
            rows.append(_row(
                spec,
                f"{regime} training of {spec['model']} on {spec['dataset']} still relies only on "
                "the simple feature (S-randomised accuracy near chance)",
                experiment, regime,
                f"accuracy test {_fmt(test)}, S-rand {_fmt(s_rand)}",
                f"test accuracy >= {self.learned_accuracy} and abs(S-rand accuracy - 0.5) <= "
                f"{self.chance_tolerance} (means over seeds)",
                int(test["n"]), passed,
            ))  # fmt: skip
        return rows


class SamLearnsSlowFeatureEarlier(ClaimCheck):
    """Nguyen et al. 2024, theorem: SAM learns the slow-learnable feature earlier than GD.
    Measured per run as the first epoch at which the slow-feature alignment reaches twice
    its value after the first epoch (the feature has grown beyond its initial scale)."""

    name = "sam_learns_slow_feature_earlier"
    growth = 2.0

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
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
            return f"{_fmt_values(reached)}{suffix}"

        # A seed that never reaches the threshold counts as the end of training.
        horizon = float(history["epoch"].max()) + 1
        passed = bool(
            np.isfinite(sam).all()
            and np.where(np.isfinite(sam), sam, horizon).mean()
            < np.where(np.isfinite(gd), gd, horizon).mean()
        )
        measured = (
            f"first epoch with slow alignment >= {self.growth:g}x its epoch-1 value: "
            f"{baseline} {describe(gd)}, {challenger} {describe(sam)}; final slow alignment "
            f"{baseline} {_fmt_values(gd_final)}, {challenger} {_fmt_values(sam_final)}"
        )
        return [_row(
            spec,
            f"{challenger} learns the slow-learnable feature earlier than {baseline} "
            f"({spec['model']} on {spec['dataset']})",
            experiment, f"{challenger} vs {baseline}", measured,
            f"every {challenger} seed reaches {self.growth:g}x its epoch-1 slow alignment, and "
            f"on average earlier than {baseline} (a seed that never does counts as the last "
            "epoch + 1)",
            int(min(len(gd), len(sam))), passed,
        )]  # fmt: skip


class UsefulImprovesTestAccuracy(ClaimCheck):
    """Nguyen et al. 2024: upsampling the slow-learnable cluster once improves in-distribution
    test accuracy, with SGD and with SAM. Paired by seed: the difference's bootstrap CI."""

    name = "useful_improves_test_accuracy"
    default_pairs = (("useful", "sgd"), ("useful+sam", "sam"))

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        runs = evidence.runs[evidence.runs["experiment"] == experiment]
        pairs = spec.get("claim_pairs") or [list(p) for p in self.default_pairs]
        rows = []
        for treated, baseline in pairs:
            accuracy = runs.pivot_table(index="seed", columns="regime", values="test_accuracy")
            if treated not in accuracy or baseline not in accuracy:
                raise ValueError(f"{self.name}: experiment {experiment} lacks {treated}/{baseline}")
            both = accuracy[[treated, baseline]].dropna()
            difference = (both[treated] - both[baseline]).to_numpy()
            low, high = bootstrap_ci(difference)
            rows.append(_row(
                spec,
                f"{treated} raises test accuracy over {baseline} "
                f"({spec['model']} on {spec['dataset']})",
                experiment, f"{treated} vs {baseline}",
                f"test accuracy {treated} {_fmt_values(both[treated].to_numpy())}, {baseline} "
                f"{_fmt_values(both[baseline].to_numpy())}; paired difference "
                f"{difference.mean():+.4f} [{low:+.4f}, {high:+.4f}]",
                "mean paired difference > 0 and its bootstrap 95% CI excludes 0",
                len(difference), bool(difference.mean() > 0 and low > 0),
            ))  # fmt: skip
        return rows


class RobustVersusStandard(ClaimCheck):
    """Chen, Agarwal, Nguyen 2020: a per-run metric of adversarially trained ("R") models
    against the standard one (regime ``sgd``). Each regime in ``claim_regimes`` (default: the
    adversarial ones) must differ in the claimed direction with 95% CIs that do not overlap
    (seeds are independent runs, so no pairing)."""

    name: ClassVar[str] = ""
    analysis: ClassVar[str]
    split: ClassVar[str]
    metric: ClassVar[str]
    label: ClassVar[str]
    higher: ClassVar[bool]
    baseline = "sgd"

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[dict]:
        summary = evidence.summary(self.analysis, experiment)
        regimes = spec.get("claim_regimes") or sorted(
            r for r in summary["regime"].unique() if r.startswith("adv")
        )
        base = _regime_stat(summary, self.baseline, self.split, self.metric, self.name)
        rows = []
        for regime in regimes:
            robust = _regime_stat(summary, regime, self.split, self.metric, self.name)
            if self.higher:
                passed = robust["ci_low"] > base["ci_high"]
            else:
                passed = robust["ci_high"] < base["ci_low"]
            direction = "higher" if self.higher else "lower"
            rows.append(_row(
                spec,
                f"{regime} ({spec['model']} on {spec['dataset']}) has {direction} {self.label} "
                f"than {self.baseline}",
                experiment, f"{regime} vs {self.baseline}",
                f"{self.label} {regime} {_fmt(robust)}, {self.baseline} {_fmt(base)}",
                f"95% CIs do not overlap, {regime} {direction}",
                int(robust["n"]), bool(passed),
                paper_reports=f"R models {direction} (ImageNet CNNs)",
            ))  # fmt: skip
        return rows


class RobustModelsShapeBiased(RobustVersusStandard):
    name = "robust_models_shape_biased"
    analysis, split, metric, label, higher = "shape_bias", "shape", "bias", "shape bias", True


class RobustFiltersSmoother(RobustVersusStandard):
    name = "robust_filters_smoother"
    analysis, split, metric = "neuron_simplicity", "filter", "tv"
    label, higher = "first-layer filter total variation", False


class RobustNeuronsFewerInputTypes(RobustVersusStandard):
    name = "robust_neurons_fewer_input_types"
    analysis, split, metric = "neuron_simplicity", "mean_input", "types"
    label, higher = "input types per neuron (top-20 inputs, mean over layers)", False


def check_claims(evidence: Evidence, config: dict[str, Any]) -> pd.DataFrame:
    """Every claim every experiment declares, as one table."""
    # Registers the dynamics and spectra claims (that module builds on this one).
    import simbias.report.dynamics_claims  # noqa: F401

    rows: list[dict] = []
    for experiment, spec in config["experiments"].items():
        for claim_name in spec.get("claims", []):
            rows += ClaimCheck.registry[claim_name]().rows(evidence, experiment, spec)
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def claims_markdown(claims: pd.DataFrame) -> str:
    passed = int((claims["verdict"] == "PASS").sum())
    header = [
        "# Claims checked",
        "",
        f"{passed} of {len(claims)} claim checks PASS. Numbers are means over seeds with "
        "bootstrap 95% CIs; criteria are fixed in simbias.report.claims, not tuned to results.",
        "",
    ]
    return "\n".join(header) + claims.to_markdown(index=False) + "\n"


def load_evidence(
    summaries: dict[str, str], finals: list[dict[str, Any]], histories: list[dict[str, Any]]
) -> Evidence:
    """Evidence from summary CSVs (analysis -> path) and run manifests."""
    from simbias.report.tables import load_finals, load_histories

    return Evidence(
        summaries={name: pd.read_csv(path) for name, path in summaries.items()},
        runs=load_finals(finals) if finals else pd.DataFrame(),
        histories=load_histories(histories) if histories else pd.DataFrame(),
    )


def claims_metrics(claims: pd.DataFrame) -> dict[str, Any]:
    """A small numeric summary for ``dvc metrics``: counts, and 1/0 per checked claim."""
    verdicts: dict[str, dict[str, int]] = {}
    for _, row in claims.iterrows():
        verdicts.setdefault(row["experiment"], {})[row["regime"]] = int(row["verdict"] == "PASS")
    return {
        "checks": len(claims),
        "pass": int((claims["verdict"] == "PASS").sum()),
        "verdicts": verdicts,
    }


def write_claims(
    evidence: Evidence,
    config: dict[str, Any],
    csv_path: str | Path,
    md_path: str | Path,
    metrics_path: str | Path | None = None,
) -> pd.DataFrame:
    claims = check_claims(evidence, config)
    write_text_atomic(csv_path, claims.to_csv(index=False))
    write_text_atomic(md_path, claims_markdown(claims))
    if metrics_path is not None:
        write_json_atomic(metrics_path, claims_metrics(claims))
    return claims
