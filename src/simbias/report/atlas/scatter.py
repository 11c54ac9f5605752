"""atlas_questions: per question, one point per run (x, y), coloured by regime family,
marker by dataset, titled with n and Spearman's rho with its group-bootstrap interval."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from matplotlib.lines import Line2D

from simbias.report.atlas.questions import MIN_RUNS, Answer
from simbias.report.atlas.table import count, metric_label
from simbias.report.figures._common import panel_grid

#: Paul Tol's muted scheme and a grey: up to ten families told apart.
#: Paul Tol's muted set plus four of his vibrant ones: 14 families before a colour repeats.
FAMILY_COLOURS = ("#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77",
                  "#cc6677", "#882255", "#aa4499", "#777777", "#ee7733", "#000000",
                  "#0077bb", "#ee3377")  # fmt: skip
#: Twelve shapes, filled and then hollow: 24 datasets before a marker repeats.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def marker_style(index: int) -> dict:
    """The ``index``-th dataset's marker: its shape and whether it is hollow."""
    hollow = (index // len(MARKERS)) % 2 == 1
    return {"marker": MARKERS[index % len(MARKERS)], "hollow": hollow}


def panel_title(answer: Answer) -> str:
    question = answer.question
    title = "\n".join(textwrap.wrap(question.get("title", question["name"]), 48))
    n_runs, n_groups = len(answer.points), answer.points["group"].nunique()
    if answer.correlation is None:
        return f"{title}\n{count(n_runs, 'run')}: too few"
    counts = f"{count(n_runs, 'run')}, {count(n_groups, 'group')}"
    return f"{title}\n{counts}; {answer.correlation.describe()}"


def log_axis(ax: plt.Axes, axis: str, low: float, high: float) -> None:
    """A log ``axis`` ("x" or "y") labelled in plain numbers (``20``, not ``2 x 10^1``);
    under two decades wide, also at 2 and 5 times each power of ten, or it would have one
    label or none."""
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    target.set_major_formatter(plain)
    if np.log10(high / low) < 2:
        target.set_minor_locator(ticker.LogLocator(subs=(2.0, 5.0)))
        target.set_minor_formatter(plain)
    else:
        target.set_minor_formatter(ticker.NullFormatter())
    ax.tick_params(which="both", labelsize=7)


def draw_question(
    ax: plt.Axes, answer: Answer, colours: dict[str, str], markers: dict[str, dict]
) -> None:
    question, points = answer.question, answer.points
    ax.set_xlabel(metric_label(question["x"]), fontsize=8)
    ax.set_ylabel(metric_label(question["y"]), fontsize=8)
    ax.set_title(panel_title(answer), fontsize=8)
    ax.tick_params(labelsize=7)
    if answer.correlation is None:
        ax.set_xticks([])
        ax.set_yticks([])
        message = f"fewer than {MIN_RUNS} runs have both metrics\n(n = {len(points)})"
        ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
                fontsize=9, color="0.3")  # fmt: skip
        return
    for (family, dataset), part in points.groupby(["family", "dataset"], sort=True):
        style = markers[dataset]
        colour = colours[family]
        ax.scatter(part["x"], part["y"], s=22, marker=style["marker"], linewidths=1.0,
                   facecolors="none" if style["hollow"] else colour, edgecolors=colour,
                   alpha=0.85)  # fmt: skip
    for axis in ("x", "y"):
        if not question[axis].get("log"):
            continue
        if (points[axis] > 0).all():
            log_axis(ax, axis, points[axis].min(), points[axis].max())
        else:
            label = f"{metric_label(question[axis])} (linear: some {axis} ≤ 0)"
            getattr(ax, f"set_{axis}label")(label, fontsize=8)
    ax.grid(color="0.92", linewidth=0.8)
    ax.set_axisbelow(True)


def legends(fig: plt.Figure, colours: dict[str, str], markers: dict[str, dict]) -> None:
    """Families (colour) beside the panels, datasets (marker) under them."""
    family_handles = [
        Line2D([], [], linestyle="none", marker="o", color=c) for c in colours.values()
    ]
    fig.legend(family_handles, list(colours), title="regime family", loc="upper left",
               bbox_to_anchor=(1.0, 0.95), fontsize=8, title_fontsize=8, frameon=False)  # fmt: skip
    dataset_handles = [
        Line2D([], [], linestyle="none", marker=s["marker"], markeredgecolor="0.3",
               markerfacecolor="none" if s["hollow"] else "0.3")
        for s in markers.values()
    ]  # fmt: skip
    fig.legend(dataset_handles, list(markers), title="dataset", loc="upper center",
               bbox_to_anchor=(0.5, 0.0), ncol=min(len(markers), 6), fontsize=8,
               title_fontsize=8, frameon=False)  # fmt: skip


def questions_figure(answers: list[Answer]) -> plt.Figure:
    """One panel per question; a question with too few runs says so in its panel."""
    if not answers:
        fig, ax = plt.subplots(figsize=(5, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, "no questions in this atlas", ha="center", va="center")
        return fig
    families = sorted({f for a in answers for f in a.points["family"]}, key=str.lower)
    datasets = sorted({d for a in answers for d in a.points["dataset"]})
    colours = {f: FAMILY_COLOURS[i % len(FAMILY_COLOURS)] for i, f in enumerate(families)}
    markers = {d: marker_style(i) for i, d in enumerate(datasets)}
    fig, axes = panel_grid(len(answers), width=4.6, height=4.0)
    for ax, answer in zip(axes, answers, strict=False):
        draw_question(ax, answer, colours, markers)
    if families:
        legends(fig, colours, markers)
    fig.suptitle(
        "Atlas: cross-paper questions (one point per run)", fontsize=11, y=1.0, va="bottom"
    )
    return fig
