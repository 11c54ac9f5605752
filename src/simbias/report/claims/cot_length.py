"""Wu et al. 2025, When More is Less: Understanding Chain-of-Thought Length in LLMs (code
acetocarmine11/cot-length): a model's accuracy against the length of its chain of thought is
an inverted U -- an intermediate step size k (ceil(T / k) steps) beats both the shortest
steps (longest chains, errors accumulate) and the longest (each step too hard); the optimal
number of steps grows with the task's difficulty T; a more capable model's optimum has no
more steps than a less capable one's (it prefers the shorter, simpler chain it can execute);
under RL on its own step size, a model takes fewer steps as its accuracy rises.

The first three read the ``cot_length`` analysis (simbias.analysis.cot_length): per run,
accuracy per (T, k) on n held-out questions, for the trained network and the same network untrained
(``claim_predictor``). Intervals are bootstraps over seeds and test questions: a draw
resamples the seeds, and within each the n questions of a (T, k) cell (the number right is
then Binomial(n, accuracy), which is what resampling the questions of one cell gives); the
optimal k of a draw is its argmax, ties broken at random. The RL claim reads the runs'
histories (simbias.analysis.cot_rl) and resamples seeds only.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from simbias.analysis.cot_rl import RlTrend, rl_rows, rl_trend
from simbias.data.cot_tasks import MODULUS
from simbias.report.claims._base import CLAIMS, Claim, ClaimRow, Evidence, regime_stat, seed_values

PAPER = "Wu et al. 2025, When More is Less: Understanding Chain-of-Thought Length in LLMs"
ANALYSIS = "cot_length"
#: Bootstrap draws and their generator's seed (fixed, so a table is reproducible).
DRAWS = 2000
BOOTSTRAP_SEED = 0
#: Two-sided 95% percentile intervals.
LOW, HIGH = 2.5, 97.5
#: A guessed answer (one residue of MODULUS) is right one time in ten. The shape of accuracy
#: against k says nothing about a model that does not answer above this: measured on this
#: CPU, a size-2 model trained 3000 steps on T 8..16 learned the chains' format (the right
#: number of steps, <END>) but not to copy the operands, and answered at 0.04-0.16.
CHANCE = 1 / MODULUS


def bootstrap_curves(
    accuracy: np.ndarray, questions: int, rng: np.random.Generator, draws: int = DRAWS
) -> np.ndarray:
    """``(draws, k)``: mean accuracy over resampled seeds of ``accuracy`` ``(seeds, k)``,
    each seed's cells resampled over its ``questions`` test questions."""
    accuracy = np.asarray(accuracy, dtype=float)
    seeds = rng.integers(0, len(accuracy), size=(draws, len(accuracy)))
    right = rng.binomial(questions, np.clip(accuracy[seeds], 0.0, 1.0))
    return right.mean(axis=1) / questions


def argmax_random_ties(curves: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row of ``curves`` the index of its maximum, a tie broken uniformly at random."""
    noise = rng.random(curves.shape)
    best = curves == curves.max(axis=1, keepdims=True)
    return np.where(best, noise, -1.0).argmax(axis=1)


def optimal_steps(curves: np.ndarray, ks: list[int], n_operators: int,
                  rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """Per draw, the number of steps ceil(T / k*) of its most accurate step size k*."""
    best = np.asarray(ks)[argmax_random_ties(curves, rng)]
    return np.ceil(n_operators / best)


def interval(values: np.ndarray) -> tuple[float, float]:
    return float(np.percentile(values, LOW)), float(np.percentile(values, HIGH))


def inverted_u(curves: np.ndarray, point: np.ndarray) -> tuple[bool, int, tuple[float, float]]:
    """Is accuracy against k an inverted U? The point estimate's best k is interior, and the
    bootstrap 95% interval of acc(best) - max(acc(first k), acc(last k)) lies above 0.
    Returns (passed, index of the best k, that interval)."""
    best = int(np.argmax(point))
    gap = curves[:, best] - np.maximum(curves[:, 0], curves[:, -1])
    low_high = interval(gap)
    return bool(0 < best < curves.shape[1] - 1 and low_high[0] > 0), best, low_high


def above_chance(curves: np.ndarray, best: int) -> tuple[bool, tuple[float, float]]:
    """Does the model answer at all? The bootstrap 95% interval of acc(k = ``best``) lies
    above CHANCE. Returns (passed, that interval)."""
    low_high = interval(curves[:, best])
    return low_high[0] > CHANCE, low_high


def above_zero(difference: np.ndarray) -> tuple[bool, tuple[float, float]]:
    """The bootstrap 95% interval of ``difference`` lies above 0."""
    low_high = interval(difference)
    return bool(low_high[0] > 0), low_high


def fmt_interval(values: np.ndarray) -> str:
    low, high = interval(values)
    return f"{np.mean(values):.2f} [{low:.2f}, {high:.2f}]"


def _best_accuracies(answers: dict[Any, tuple[bool, tuple[float, float]]]) -> str:
    """``acc(best k) at T = 8 [0.41, 0.52], T = 16 [...] against chance 0.10``."""
    cells = ", ".join(f"{key} [{low:.2f}, {high:.2f}]" for key, (_, (low, high)) in answers.items())
    return f"acc(best k) at {cells} against chance {CHANCE:.2f}"


class CotLengthClaim(Claim):
    """What the claims share: the accuracy table of one experiment's runs."""

    @staticmethod
    def predictor(spec: dict[str, Any]) -> str:
        return spec.get("claim_predictor") or "trained"

    @staticmethod
    def grid(summary: pd.DataFrame, predictor: str) -> tuple[list[int], list[int]]:
        """The (T values, k values) the analysis measured for ``predictor``."""
        found = [re.fullmatch(r"T(\d+)k(\d+)accuracy", m) for m in
                 summary.loc[summary["split"] == predictor, "metric"]]  # fmt: skip
        ts = sorted({int(m.group(1)) for m in found if m})
        ks = sorted({int(m.group(2)) for m in found if m})
        if not ts or len(ks) < 3:
            raise ValueError(f"cot_length: {predictor} needs 3 or more step sizes, has {ks}")
        return ts, ks

    def table(self, summary: pd.DataFrame, regime: str, predictor: str, n_operators: int,
              ks: list[int]) -> tuple[np.ndarray, int]:  # fmt: skip
        """``(seeds, k)`` accuracies at T and the questions per cell."""
        columns = [seed_values(regime_stat(summary, regime, predictor,
                                           f"T{n_operators}k{k}accuracy", self.name))
                   for k in ks]  # fmt: skip
        count = seed_values(regime_stat(summary, regime, "questions", f"T{n_operators}count",
                                        self.name))  # fmt: skip
        return np.stack(columns, axis=1), int(count.min())

    def diagnosis(self, summary: pd.DataFrame, regime: str, predictor: str, n_operators: int,
                  ks: list[int]) -> str:  # fmt: skip
        """Why chains at T fail, over k and seeds: the share whose first step copies the right
        sub-expression and the share of steps whose sum is right for what they copied."""
        means = {score: np.mean([seed_values(regime_stat(
            summary, regime, predictor, f"T{n_operators}k{k}{score}", self.name)) for k in ks])
            for score in ("copy", "arithmetic")}  # fmt: skip
        return (f"chains at T = {n_operators}: first step copied {means['copy']:.2f}, steps'"
                f" sums right {means['arithmetic']:.2f} (chance {CHANCE:.2f})")  # fmt: skip

    def regimes(self, summary: pd.DataFrame, spec: dict[str, Any]) -> list[str]:
        return list(spec.get("claim_regimes") or sorted(summary["regime"].unique()))


@CLAIMS.register(
    "cot_accuracy_inverted_u",
    paper=PAPER,
    caption="Accuracy against the chain-of-thought step size k is an inverted U at the"
    " largest T: the best k is interior and beats both the smallest and the largest k"
    " (bootstrap 95% interval over seeds and test questions of the gap above 0), and the"
    " model answers above chance there (that of its accuracy above 1 / modulus).",
)
class CotAccuracyInvertedU(CotLengthClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary(ANALYSIS, experiment)
        predictor = self.predictor(spec)
        ts, ks = self.grid(summary, predictor)
        rows = []
        for regime in self.regimes(summary, spec):
            accuracy, questions = self.table(summary, regime, predictor, ts[-1], ks)
            rng = np.random.default_rng(BOOTSTRAP_SEED)
            curves = bootstrap_curves(accuracy, questions, rng)
            shaped, best, gap = inverted_u(curves, accuracy.mean(axis=0))
            answers, best_interval = above_chance(curves, best)
            means = ", ".join(
                f"k={k}: {a:.2f}" for k, a in zip(ks, accuracy.mean(axis=0), strict=True)
            )
            rows.append(self.row(
                claim=f"accuracy against CoT length is an inverted U at T = {ts[-1]}"
                f" ({spec['model']})",
                experiment=experiment, regime=regime,
                measured=f"{predictor} accuracy {means} ({questions} questions x"
                f" {len(accuracy)} seeds); best k = {ks[best]}"
                f" ({math.ceil(ts[-1] / ks[best])} steps), acc(best)"
                f" [{best_interval[0]:.2f}, {best_interval[1]:.2f}] against chance"
                f" {CHANCE:.2f}; gap over the better end [{gap[0]:.2f}, {gap[1]:.2f}];"
                f" {self.diagnosis(summary, regime, predictor, ts[-1], ks)}",
                criterion="best k interior, bootstrap 95% interval of acc(best) -"
                " max(acc(k min), acc(k max)) above 0, and that of acc(best) above chance"
                " (1 / modulus)",
                n_seeds=len(accuracy), passed=shaped and answers,
                paper_reports="accuracy first rises then falls with CoT length (Wu et al.,"
                " synthetic arithmetic figures)",
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "cot_optimal_steps_grow_with_t",
    paper=PAPER,
    caption="The optimal number of chain-of-thought steps ceil(T / k*) is larger at the"
    " largest T than at the smallest (bootstrap 95% interval of the difference above 0),"
    " the model answering above chance at both (1 / modulus).",
)
class CotOptimalStepsGrowWithT(CotLengthClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        summary = evidence.summary(ANALYSIS, experiment)
        predictor = self.predictor(spec)
        ts, ks = self.grid(summary, predictor)
        rows = []
        for regime in self.regimes(summary, spec):
            rng = np.random.default_rng(BOOTSTRAP_SEED)
            steps, answers = {}, {}
            for t in (ts[0], ts[-1]):
                accuracy, questions = self.table(summary, regime, predictor, t, ks)
                curves = bootstrap_curves(accuracy, questions, rng)
                steps[t] = optimal_steps(curves, ks, t, rng)
                answers[f"T = {t}"] = above_chance(curves, int(np.argmax(accuracy.mean(axis=0))))
            grows, _ = above_zero(steps[ts[-1]] - steps[ts[0]])
            rows.append(self.row(
                claim=f"the optimal number of CoT steps grows with T ({spec['model']})",
                experiment=experiment, regime=regime,
                measured=f"{predictor} optimal steps at T = {ts[0]}: {fmt_interval(steps[ts[0]])},"
                f" at T = {ts[-1]}: {fmt_interval(steps[ts[-1]])}; difference"
                f" {fmt_interval(steps[ts[-1]] - steps[ts[0]])}; {_best_accuracies(answers)}",
                criterion=f"bootstrap 95% interval of steps*(T={ts[-1]}) - steps*(T={ts[0]})"
                " above 0, and at both T that of acc(best k) above chance (1 / modulus)",
                n_seeds=len(accuracy),
                passed=grows and all(ok for ok, _ in answers.values()),
                paper_reports="the optimal CoT length increases with task difficulty (Wu et"
                " al., Theorem and synthetic figures)",
            ))  # fmt: skip
        return rows


@CLAIMS.register(
    "cot_larger_model_fewer_steps",
    paper=PAPER,
    caption="At the largest T, the larger model's optimal number of chain-of-thought steps"
    " is smaller than the smaller model's (compare_experiment; bootstrap 95% interval of"
    " the difference above 0; both models above chance, 1 / modulus): capable models"
    " prefer shorter chains.",
)
class CotLargerModelFewerSteps(CotLengthClaim):
    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        smaller = spec.get("compare_experiment")
        if not smaller:
            raise ValueError(f"{self.name}: {experiment} names no compare_experiment")
        predictor = self.predictor(spec)
        large = evidence.summary(ANALYSIS, experiment)
        small = evidence.summary(ANALYSIS, smaller)
        ts, ks = self.grid(large, predictor)
        t = ts[-1]
        rows = []
        for regime in self.regimes(large, spec):
            rng = np.random.default_rng(BOOTSTRAP_SEED)
            steps, answers = {}, {}
            for name, summary in ((experiment, large), (smaller, small)):
                accuracy, questions = self.table(summary, regime, predictor, t, ks)
                curves = bootstrap_curves(accuracy, questions, rng)
                steps[name] = optimal_steps(curves, ks, t, rng)
                answers[name] = above_chance(curves, int(np.argmax(accuracy.mean(axis=0))))
            difference = steps[smaller] - steps[experiment]
            fewer, _ = above_zero(difference)
            rows.append(self.row(
                claim=f"the larger model ({spec['model']}) needs fewer CoT steps at T = {t}"
                f" than the smaller ({smaller})",
                experiment=experiment, regime=regime,
                measured=f"{predictor} optimal steps: larger {fmt_interval(steps[experiment])},"
                f" smaller {fmt_interval(steps[smaller])}; smaller - larger"
                f" {fmt_interval(difference)}; {_best_accuracies(answers)}",
                criterion="bootstrap 95% interval of steps*(smaller) - steps*(larger) above 0,"
                " and for both models that of acc(best k) above chance (1 / modulus)",
                n_seeds=len(accuracy),
                passed=fewer and all(ok for ok, _ in answers.values()),
                paper_reports="the optimal CoT length shrinks as model capability grows (Wu et"
                " al., simplicity bias)",
            ))  # fmt: skip
        return rows


def bootstrap_means(values: np.ndarray, rng: np.random.Generator, draws: int = DRAWS) -> np.ndarray:
    """``(draws,)``: the mean of ``values`` (one per seed) over seeds resampled."""
    values = np.asarray(values, dtype=float)
    return values[rng.integers(0, len(values), size=(draws, len(values)))].mean(axis=1)


def fewer_steps_as_accuracy_rises(
    trends: list[RlTrend], rng: np.random.Generator
) -> tuple[bool, dict[str, np.ndarray]]:
    """Over the RL epochs, fewer steps as accuracy rises: bootstrap 95% intervals over seeds
    of the mean Spearman(accuracy, steps) below 0, of the mean accuracy gain (last RL epoch
    minus first) above 0 and of the mean change in steps below 0. Returns (passed, the
    bootstrap means by name); one seed has no interval and fails."""
    means = {
        "spearman": bootstrap_means(np.array([t.spearman for t in trends]), rng),
        "accuracy_gain": bootstrap_means(np.array([t.accuracy_gain for t in trends]), rng),
        "steps_change": bootstrap_means(np.array([t.steps_change for t in trends]), rng),
    }
    passed = (
        len(trends) >= 2
        and interval(means["spearman"])[1] < 0
        and interval(means["accuracy_gain"])[0] > 0
        and interval(means["steps_change"])[1] < 0
    )
    return bool(passed), means


@CLAIMS.register(
    "cot_rl_fewer_steps",
    paper=PAPER,
    caption="Under REINFORCE on its self-chosen step size k (reward: the right answer), the"
    " model's mean number of CoT steps falls as its accuracy rises: per seed Spearman of"
    " accuracy against mean steps over the RL epochs, bootstrap 95% interval over seeds"
    " below 0, accuracy gain above 0, change in steps below 0.",
)
class CotRlFewerSteps(Claim):
    """Reads the RL rows of the runs' histories (simbias.analysis.cot_rl)."""

    def rows(self, evidence: Evidence, experiment: str, spec: dict[str, Any]) -> list[ClaimRow]:
        history = rl_rows(evidence.histories)
        history = history[history["experiment"] == experiment]
        if history.empty:
            raise ValueError(f"{self.name}: experiment {experiment} has no RL history")
        regimes = spec.get("claim_regimes") or sorted(history["regime"].unique())
        rows = []
        for regime in regimes:
            runs = history[history["regime"] == regime].groupby("seed", sort=True)
            trends = [rl_trend(run) for _, run in runs]
            if not trends:
                raise ValueError(f"{self.name}: no RL history for {experiment} {regime}")
            passed, means = fewer_steps_as_accuracy_rises(
                trends, np.random.default_rng(BOOTSTRAP_SEED)
            )
            start = np.mean([t.accuracy_start for t in trends])
            end = np.mean([t.accuracy_end for t in trends])
            steps = (
                np.mean([t.steps_start for t in trends]),
                np.mean([t.steps_end for t in trends]),
            )
            rows.append(self.row(
                claim=f"under RL on its own step size the model takes fewer CoT steps as its"
                f" accuracy rises ({spec['model']})",
                experiment=experiment, regime=regime,
                measured=f"Spearman(accuracy, mean steps) over RL epochs"
                f" {fmt_interval(means['spearman'])}; accuracy {start:.2f} -> {end:.2f}, gain"
                f" {fmt_interval(means['accuracy_gain'])}; mean steps {steps[0]:.2f} ->"
                f" {steps[1]:.2f}, change {fmt_interval(means['steps_change'])}",
                criterion="bootstrap 95% intervals over seeds: Spearman below 0, accuracy gain"
                " above 0, change in mean steps below 0",
                n_seeds=len(trends), passed=passed,
                paper_reports="models gravitate towards shorter CoTs as their accuracy"
                " improves during RL (Wu et al., abstract and RL section)",
            ))  # fmt: skip
        return rows
