"""Published claims, measured: each claim reads the summary table of an experiment and
says PASS or FAIL against a criterion fixed here, before any result is seen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from simbias.io import write_text_atomic

SB_SPLITS = ("test", "s_rand", "sc_rand")
CLAIM_COLUMNS = [
    "paper",
    "claim",
    "experiment",
    "regime",
    "measured",
    "paper_reports",
    "criterion",
    "n_seeds",
    "verdict",
]


@dataclass
class ClaimCheck:
    """A claim of a paper, checked on one experiment's summary."""

    name: ClassVar[str]
    registry: ClassVar[dict[str, type[ClaimCheck]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ClaimCheck.registry[cls.name] = cls

    def rows(self, summary: pd.DataFrame, experiment: str, spec: dict[str, Any]) -> list[dict]:
        raise NotImplementedError


def _stat(summary: pd.DataFrame, split: str, metric: str) -> pd.Series:
    match = summary[(summary["split"] == split) & (summary["metric"] == metric)]
    if len(match) != 1:
        raise ValueError(f"expected one summary row for {split} {metric}, found {len(match)}")
    return match.iloc[0]


def _fmt(stat: pd.Series) -> str:
    return f"{stat['mean']:.3f} [{stat['ci_low']:.3f}, {stat['ci_high']:.3f}]"


class ExtremeSimplicityBias(ClaimCheck):
    """Shah et al. 2020: networks rely exclusively on the simplest feature, so
    S^c-randomised AUC stays at test AUC while S-randomised AUC falls to chance."""

    name = "extreme_simplicity_bias"
    #: The network must have learned the task, or invariance to features means nothing.
    learned_auc = 0.90
    #: |S-rand AUC - 0.5| at most this counts as chance.
    chance_tolerance = 0.10
    #: S^c-rand AUC at least test AUC minus this counts as unchanged.
    invariance_tolerance = 0.05

    def criterion(self) -> str:
        return (
            f"test AUC >= {self.learned_auc}, abs(S-rand AUC - 0.5) <= {self.chance_tolerance} and "
            f"S^c-rand AUC >= test AUC - {self.invariance_tolerance} (means over seeds)"
        )

    def verdict(self, test: float, s_rand: float, sc_rand: float) -> str:
        learned = test >= self.learned_auc
        near_chance = abs(s_rand - 0.5) <= self.chance_tolerance
        invariant = sc_rand >= test - self.invariance_tolerance
        return "PASS" if learned and near_chance and invariant else "FAIL"

    def rows(self, summary: pd.DataFrame, experiment: str, spec: dict[str, Any]) -> list[dict]:
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
            rows.append(
                {
                    "paper": spec.get("paper", ""),
                    "claim": (
                        f"{spec['model']} on {spec['dataset']} relies only on the simple feature: "
                        "S^c-randomised AUC stays at test AUC, S-randomised AUC falls to chance"
                    ),
                    "experiment": experiment,
                    "regime": regime,
                    "measured": (
                        f"AUC test {_fmt(test)}, S-rand {_fmt(s_rand)}, S^c-rand {_fmt(sc_rand)}; "
                        f"accuracy test {_fmt(accuracy['test'])}, S-rand "
                        f"{_fmt(accuracy['s_rand'])}, S^c-rand {_fmt(accuracy['sc_rand'])}"
                    ),
                    "paper_reports": paper_reports or "n/a",
                    "criterion": self.criterion(),
                    "n_seeds": int(test["n"]),
                    "verdict": self.verdict(test["mean"], s_rand["mean"], sc_rand["mean"]),
                }
            )
        return rows


def check_claims(summary: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """Every claim every experiment declares, as one table."""
    rows: list[dict] = []
    for experiment, spec in config["experiments"].items():
        for claim_name in spec.get("claims", []):
            part = summary[summary["experiment"] == experiment]
            if part.empty:
                raise ValueError(f"no measured metrics for experiment {experiment!r}")
            rows += ClaimCheck.registry[claim_name]().rows(part, experiment, spec)
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


def write_claims(
    summary_csv: str | Path, config: dict[str, Any], csv_path: str | Path, md_path: str | Path
) -> pd.DataFrame:
    claims = check_claims(pd.read_csv(summary_csv), config)
    write_text_atomic(csv_path, claims.to_csv(index=False))
    write_text_atomic(md_path, claims_markdown(claims))
    return claims
