"""atlas.md: what was measured, per dataset a table of the headline metrics against the
reference regime, and the questions' correlations; it states no claims."""

from __future__ import annotations

from typing import Any

import pandas as pd

from simbias.report.atlas.comparison import NOISE_MARK, REFERENCE_MARK
from simbias.report.atlas.questions import MIN_RUNS, Answer
from simbias.report.atlas.table import (
    count,
    measured_metrics,
    metric_label,
    ordered_rows,
    significant,
)


def header(frame: pd.DataFrame, metrics: list[dict[str, str]], references: list[str]) -> str:
    runs = frame[["group", "seed"]].drop_duplicates()
    runs_per_analysis = frame[["analysis", "group", "seed"]].drop_duplicates()
    runs_per_analysis = runs_per_analysis.groupby("analysis", sort=True).size()
    keys_per_analysis = frame.groupby("analysis", sort=True)["metric"].nunique()
    analyses = ", ".join(
        f"{name} ({count(n, 'run')}, {count(keys_per_analysis[name], 'key')})"
        for name, n in runs_per_analysis.items()
    )
    measured = set(zip(frame["analysis"], frame["metric"], strict=True))
    unmeasured = [metric_label(m) for m in metrics if (m["analysis"], m["key"]) not in measured]
    scope = (
        f"{count(len(runs), 'run')} in {count(frame['group'].nunique(), 'group')} on "
        f"{count(frame['dataset'].nunique(), 'dataset')}, "
        f"{count(frame['analysis'].nunique(), 'analysis', 'analyses')}: {analyses or 'none'}."
    )
    rows = (
        f"atlas.csv has {len(frame)} rows, one per run and metric key, each with the JSON file "
        f"it was read from; {int(frame['value'].isna().sum())} values are not finite (empty "
        "in the CSV, left out of every mean)."
    )
    lines = [
        "# Simplicity-bias atlas",
        "",
        f"{scope} {rows}",
        "",
        "The atlas states no claims: it lists measurements with their n and intervals. A cell "
        "is `mean [low, high] (n)`: the mean over n seeds and its 95% Student t interval. "
        f"`{REFERENCE_MARK}` marks the reference regime of a dataset and model, the first of "
        f"{', '.join(references) or '(none given)'} it was trained with. "
        f"`{NOISE_MARK}` marks a cell within noise of the reference: the 95% interval of its "
        "difference to the reference's mean (paired t by seed when both have the same seeds, "
        "else Welch) includes 0. Cells with fewer than 2 seeds on either side (or whose "
        "reference lacks the metric), and models without a reference regime, are not "
        "compared. Intervals of different cells are not corrected for multiple comparisons.",
    ]
    if unmeasured:
        lines += ["", f"Headline metrics no run measured: {', '.join(unmeasured)}."]
    return "\n".join(lines)


def cell(stats: pd.Series | None, within_noise: bool | None) -> str:
    if stats is None:
        return "–"
    text = (
        f"{significant(stats['mean'])} [{significant(stats['ci_low'])}, "
        f"{significant(stats['ci_high'])}] ({int(stats['n'])})"
    )
    return f"{text} {NOISE_MARK}" if within_noise else text


def dataset_table(
    dataset: str,
    summary: pd.DataFrame,
    comparisons: pd.DataFrame,
    metrics: list[dict[str, str]],
    reference: dict[str, str],
) -> str:
    """Rows model/regime, columns the headline metrics measured on ``dataset``."""
    part = summary[summary["dataset"] == dataset]
    present = measured_metrics(part, metrics)
    cells = part.set_index(["group", "analysis", "metric"])
    noise = comparisons[comparisons["dataset"] == dataset]
    noise = noise.set_index(["group", "analysis", "metric"])["within_noise"]
    rows = []
    for model, regime, group in ordered_rows(part, reference):
        name = f"{regime} {REFERENCE_MARK}" if reference.get(model) == regime else regime
        row = {"model": model, "regime": name}
        for metric in present:
            key = (group, metric["analysis"], metric["key"])
            stats = cells.loc[key] if key in cells.index else None
            row[metric_label(metric)] = cell(stats, noise.get(key))
        rows.append(row)
    return pd.DataFrame(rows).to_markdown(index=False)


def datasets_section(
    frame: pd.DataFrame,
    summary: pd.DataFrame,
    comparisons: pd.DataFrame,
    metrics: list[dict[str, str]],
    references: dict[tuple, str],
) -> str:
    parts = []
    with_metrics = set(summary["dataset"])
    for dataset, runs in frame.groupby("dataset", sort=True):
        if dataset not in with_metrics:
            continue
        papers = sorted({p for joined in runs["papers"] for p in joined.split("; ") if p})
        reference = {m: r for (d, m), r in references.items() if d == dataset}
        unreferenced = sorted(set(runs["model"]) - set(reference))
        n_runs = len(runs[["group", "seed"]].drop_duplicates())
        parts += [
            f"## {dataset}",
            "",
            f"{count(n_runs, 'run')} in {count(runs['group'].nunique(), 'group')}; papers: "
            f"{'; '.join(papers) or 'none listed'}.",
        ]
        if unreferenced:
            parts += ["", f"No reference regime for {', '.join(unreferenced)}: not compared."]
        parts += ["", dataset_table(dataset, summary, comparisons, metrics, reference), ""]
    without = sorted(set(frame["dataset"]) - with_metrics)
    if without:
        parts += [f"Datasets with none of the headline metrics (see atlas.csv): "
                  f"{', '.join(without)}.", ""]  # fmt: skip
    return "\n".join(parts)


def axis_text(axis: dict[str, Any]) -> str:
    scale = ", log axis" if axis.get("log") else ""
    return f"{metric_label(axis)} (`{axis['analysis']}: {axis['key']}`{scale})"


def question_section(answer: Answer) -> str:
    question = answer.question
    lines = [
        f"### {question.get('title', question['name'])} (`{question['name']}`)",
        "",
        f"x: {axis_text(question['x'])}; y: {axis_text(question['y'])}.",
        "",
    ]
    n_runs, n_groups = len(answer.points), answer.points["group"].nunique()
    correlation = answer.correlation
    if correlation is None:
        lines.append(
            f"Fewer than {MIN_RUNS} runs have both metrics ({count(n_runs, 'run')}): "
            "no correlation computed."
        )
    elif not correlation.has_interval:
        lines.append(
            f"{count(n_runs, 'run')} in 1 group: {correlation.describe()}; a bootstrap over "
            "groups needs two or more."
        )
    else:
        verdict = (
            "within noise (the interval includes 0)"
            if correlation.within_noise
            else "the interval excludes 0"
        )
        lines.append(
            f"{count(n_runs, 'run')} in {count(n_groups, 'group')}: Spearman ρ = "
            f"{correlation.rho:.2f} over runs, "
            f"95% bootstrap interval over groups [{correlation.ci_low:.2f}, "
            f"{correlation.ci_high:.2f}]; {verdict}."
        )
    if n_runs:
        lines += ["", f"Datasets: {answer.datasets()}."]
    return "\n".join(lines)


def atlas_markdown(
    frame: pd.DataFrame,
    summary: pd.DataFrame,
    comparisons: pd.DataFrame,
    answers: list[Answer],
    metrics: list[dict[str, str]],
    references: list[str],
    chosen_references: dict[tuple, str],
) -> str:
    """The whole page: header, a table per dataset, a section per question."""
    parts = [
        header(frame, metrics, references),
        "",
        datasets_section(frame, summary, comparisons, metrics, chosen_references),
        "# Questions",
        "",
        "Each point is one run (one seed). ρ is Spearman's rank correlation over runs; its 95% "
        "interval is a percentile bootstrap that resamples whole groups (the seeds of one "
        "group are not independent). An interval that includes 0 is within noise.",
    ]
    for answer in answers:
        parts += ["", question_section(answer)]
    if not answers:
        parts += ["", "No questions in this atlas."]
    return "\n".join(parts) + "\n"
