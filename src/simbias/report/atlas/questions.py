"""Cross-paper questions: two metrics measured on the same runs, paired run by run, and
their rank correlation with a group-bootstrap interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from simbias.report.atlas.correlation import Correlation, group_bootstrap_spearman
from simbias.report.atlas.families import regime_family
from simbias.report.atlas.table import RUN_COLUMNS, count, metric_rows

#: Fewer runs with both metrics than this: no correlation is computed.
MIN_RUNS = 3


@dataclass(frozen=True)
class Answer:
    """A question (its spec entry), the runs that measured both its metrics (columns
    RUN_COLUMNS, x, y, family) and their correlation (None: fewer than MIN_RUNS runs)."""

    question: dict[str, Any]
    points: pd.DataFrame
    correlation: Correlation | None

    def datasets(self) -> str:
        """``lms5 (10 runs), mnist_cifar (5 runs)``: where the points came from."""
        counts = self.points.groupby("dataset", sort=True).size()
        return ", ".join(f"{dataset} ({count(n, 'run')})" for dataset, n in counts.items())


def question_points(frame: pd.DataFrame, question: dict[str, Any]) -> pd.DataFrame:
    """One row per run with a finite value of both the question's ``x`` and ``y`` metric
    (each ``{"analysis", "key"}``): RUN_COLUMNS, x, y and the regime's family."""
    axes = []
    for axis in ("x", "y"):
        chosen = metric_rows(frame, question[axis]["analysis"], question[axis]["key"])
        axes.append(chosen.set_index(RUN_COLUMNS)["value"].rename(axis))
    points = pd.concat(axes, axis=1, join="inner").reset_index()
    points["family"] = points["regime"].map(regime_family)
    return points.sort_values(RUN_COLUMNS, kind="stable").reset_index(drop=True)


def answer_question(frame: pd.DataFrame, question: dict[str, Any]) -> Answer:
    points = question_points(frame, question)
    if len(points) < MIN_RUNS:
        return Answer(question, points, None)
    correlation = group_bootstrap_spearman(points["x"], points["y"], points["group"])
    return Answer(question, points, correlation)


def answer_questions(frame: pd.DataFrame, questions: list[dict[str, Any]]) -> list[Answer]:
    return [answer_question(frame, question) for question in questions]
