"""What every claim shares: the evidence it reads, the row it writes, the catalogue it
registers in, and how it prints a measurement."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.aggregate import mean_ci
from simbias.components import Catalogue, Entry

#: One module per paper, several claims in each; every claim registers its ``paper`` (the
#: citation its rows carry) and a one-sentence ``caption``.
CLAIMS = Catalogue("claim", "simbias.report.claims", one_per_module=False)

SB_SPLITS = ("test", "s_rand", "sc_rand")


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


@dataclass(frozen=True)
class Control:
    """The run (or input) in which the claimed effect cannot appear, measured and judged by
    the same criterion as the claim: ``what`` names it, ``measured`` and ``passed`` are the
    criterion's reading of it. A claim is believable only if its control FAILs."""

    what: str
    measured: str
    passed: bool


#: The verdicts a row can carry: the claim passed and its control failed (PASS), the claim
#: failed (FAIL), or the claim passed and so did its control (the criterion cannot tell).
VERDICTS = ("PASS", "FAIL", "CANNOT TELL")


def combined_verdict(claim_passed: bool, control_passed: bool) -> str:
    if not claim_passed:
        return "FAIL"
    return "CANNOT TELL" if control_passed else "PASS"


@dataclass(frozen=True, kw_only=True)
class ClaimRow:
    """One checked claim: the claims table's columns, in order, then what the table does not
    show but the dvc metrics need to tell rows apart: ``check``, the claim's registered name
    (several claims may share an experiment and regime), and ``variant``, what tells apart
    one claim's rows on one experiment and regime (FARMS: the alpha estimator), if any."""

    paper: str
    claim: str
    experiment: str
    regime: str
    measured: str
    paper_reports: str
    criterion: str
    n_seeds: int
    verdict: str
    control: str = ""
    control_measured: str = ""
    control_verdict: str = ""
    check: str = field(metadata={"column": False})
    variant: str = field(default="", metadata={"column": False})
    #: Whether the claim's own criterion passed, before its control is considered.
    claim_passed: bool = field(default=False, metadata={"column": False})

    def record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def with_control(self, control: Control) -> ClaimRow:
        """This row judged beside ``control``: its verdict is PASS only if the control FAILs."""
        return dataclasses.replace(
            self,
            control=control.what,
            control_measured=control.measured,
            control_verdict="PASS" if control.passed else "FAIL",
            verdict=combined_verdict(self.claim_passed, control.passed),
        )

    def as_control(self, what: str) -> Control:
        """This row, measured on a control run, as the control of another row."""
        return Control(what=what, measured=self.measured, passed=self.claim_passed)


#: The columns of claims.csv and claims.md.
CLAIM_COLUMNS = [f.name for f in dataclasses.fields(ClaimRow) if f.metadata.get("column", True)]
#: Every field of a row, as check_claims' table carries them.
ROW_FIELDS = [f.name for f in dataclasses.fields(ClaimRow)]


class Claim:
    """A claim of a paper, checked on one experiment's evidence. Subclasses register in
    CLAIMS and implement :meth:`rows`, building each row with :meth:`row`."""

    @classmethod
    def entry(cls) -> Entry:
        for entry in CLAIMS.entries():
            if entry.obj is cls:
                return entry
        raise ValueError(f"{cls.__name__} is not a registered claim")

    @property
    def name(self) -> str:
        return self.entry().name

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        raise NotImplementedError

    def row(
        self,
        *,
        claim: str,
        experiment: str,
        regime: str,
        measured: str,
        criterion: str,
        n_seeds: int,
        passed: bool,
        paper_reports: str = "",
        variant: str = "",
        control: Control | None = None,
    ) -> ClaimRow:
        """A row of this claim: its paper is the claim's own, not the experiment's. A claim
        whose control is built into its input (FARMS's single block) passes ``control``;
        the others get theirs from the experiment's ``controls`` (check_claims)."""
        entry = self.entry()
        row = ClaimRow(
            paper=entry.meta["paper"],
            claim=claim,
            experiment=experiment,
            regime=regime,
            measured=measured,
            paper_reports=paper_reports or "n/a",
            criterion=criterion,
            n_seeds=n_seeds,
            verdict="PASS" if passed else "FAIL",
            check=entry.name,
            variant=variant,
            claim_passed=bool(passed),
        )
        return row if control is None else row.with_control(control)


def stat_of(summary: pd.DataFrame, split: str, metric: str) -> pd.Series:
    """The one summary row of ``split`` / ``metric``."""
    match = summary[(summary["split"] == split) & (summary["metric"] == metric)]
    if len(match) != 1:
        raise ValueError(f"expected one summary row for {split} {metric}, found {len(match)}")
    return match.iloc[0]


def regime_stat(
    summary: pd.DataFrame, regime: str, split: str, metric: str, claim: str
) -> pd.Series:
    """The one summary row of ``regime`` for ``split`` / ``metric``."""
    part = summary[summary["regime"] == regime]
    if part.empty:
        raise ValueError(f"{claim}: no results for regime {regime!r}")
    return stat_of(part, split, metric)


def seed_values(stat: pd.Series) -> np.ndarray:
    """The per-seed values of a summary row (aggregate.summarise's ``values``), in seed
    order."""
    values = stat["values"]
    if isinstance(values, str):
        return np.array([float(v) for v in values.split(";")]) if values else np.array([])
    return np.asarray(values, dtype=float)


def _seed_list(values: np.ndarray, spec: str = ".3f") -> str:
    return ", ".join(f"{v:{spec}}" for v in values)


def fmt_stat(stat: pd.Series, spec: str = ".3f") -> str:
    """Mean [95% t interval] (the seed values) of a summary row, each number formatted by
    ``spec`` (".3g" for small values such as covariances)."""
    seeds = f" (seeds {_seed_list(seed_values(stat), spec)})" if "values" in stat else ""
    return f"{stat['mean']:{spec}} [{stat['ci_low']:{spec}}, {stat['ci_high']:{spec}}]{seeds}"


def interval_above_zero(stat: pd.Series) -> bool:
    """The 95% t interval over seeds of a summary row lies above 0 (at least two seeds: one
    has no interval)."""
    return bool(int(stat["n"]) >= 2 and stat["ci_low"] > 0)


def fmt_values(values: np.ndarray) -> str:
    """Mean [95% t interval] (the seed values) of per-seed values."""
    values = np.asarray(values, dtype=float)
    low, high = mean_ci(values)
    return f"{values.mean():.3f} [{low:.3f}, {high:.3f}] (seeds {_seed_list(values)})"


def intervals_apart(treated: pd.Series, baseline: pd.Series, higher: bool) -> bool:
    """The 95% intervals of two summary rows do not overlap, ``treated`` on the claimed side
    (higher or lower). Independent runs, so no pairing; with t intervals at n >= 5 two
    draws of one distribution end apart in well under 1% of cases (tests/test_criteria.py)."""
    if higher:
        return bool(treated["ci_low"] > baseline["ci_high"])
    return bool(treated["ci_high"] < baseline["ci_low"])
