"""Group metrics of one trained run, as spurious-correlation benchmarks report them
(SubpopBench, Yang et al. 2023; SpuCo, Joshi et al. 2023; WILDS, Koh et al. 2021).

A group is a pair (label y, simple label s): the class, and the class the example's simple
feature indicates (its ``simple_label``), the usual (class, spurious attribute) groups. A
model that reads only the simple feature is right wherever s == y and wrong wherever
s != y: on the S-randomised set, where every group occurs, its worst group scores 0.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from simbias.analysis.sb_metrics import split_logits
from simbias.data.base import NO_FEATURE, SIMPLE_LABEL
from simbias.data.store import read_card

#: The split the group-balanced test set is drawn from: its simple feature is independent
#: of the label, so every group occurs in it.
BALANCED_FROM = "s_rand"
#: Seed of the subsampling that balances it: one fixed set for every run.
BALANCED_SEED = 0


def group_key(label: int, simple: int) -> str:
    """The metric name of group (y, s), ``y{label}s{simple}``: without an underscore, as
    the tables cut a key into split and metric at its last one."""
    return f"y{label}s{simple}"


def group_accuracies(
    correct: np.ndarray, y: np.ndarray, simple: np.ndarray, n_classes: int
) -> dict[tuple[int, int], float]:
    """Accuracy of every group (y, s) with y and s in ``0..n_classes-1``; NaN for a group
    without examples (the test set has none where s != y)."""
    accuracies = {}
    for label, simple_label in itertools.product(range(n_classes), repeat=2):
        members = correct[(y == label) & (simple == simple_label)]
        accuracies[label, simple_label] = float(members.mean()) if len(members) else math.nan
    return accuracies


def worst_and_mean(accuracies: dict[tuple[int, int], float]) -> tuple[float, float]:
    """The worst group's accuracy and the mean over groups. An empty group's NaN is left
    out of both: it has no accuracy to be worst at, and would make every mean NaN."""
    measured = [a for a in accuracies.values() if not math.isnan(a)]
    if not measured:
        return math.nan, math.nan
    return min(measured), float(np.mean(measured))


def group_balanced_rows(y: np.ndarray, simple: np.ndarray, seed: int = BALANCED_SEED) -> np.ndarray:
    """Rows of a group-balanced subset: every group present subsampled without replacement
    to the smallest group's size, groups drawn in sorted order from one seeded generator,
    so the same data give the same rows."""
    groups = sorted(set(zip(y.tolist(), simple.tolist(), strict=True)))
    members = [np.flatnonzero((y == label) & (simple == s)) for label, s in groups]
    size = min((len(m) for m in members), default=0)
    rng = np.random.default_rng(seed)
    rows = [rng.choice(m, size=size, replace=False) for m in members]
    return np.sort(np.concatenate(rows)) if rows else np.array([], dtype=np.int64)


def group_metrics(
    run_dir: str | Path, data_dir: str | Path, device: str = "cpu"
) -> dict[str, float]:
    """Per split (test, S-rand, S^c-rand): the accuracy of every group (``{split}_y0s1``),
    the worst group's (``{split}_worstgroup``) and the mean over groups
    (``{split}_groupmean``); and the accuracy on the group-balanced subset of S-rand
    (``s_rand_balanced``)."""
    n_classes = int(read_card(data_dir)["n_classes"])
    metrics: dict[str, float] = {}
    for split, data, logits in split_logits(run_dir, data_dir, device):
        if SIMPLE_LABEL not in data.attributes:
            raise ValueError(
                f"dataset {data_dir} split {split} has no {SIMPLE_LABEL} attribute: regenerate "
                "it (the generators with a simple and a complex feature write one)"
            )
        correct = logits.argmax(dim=1).cpu().numpy() == data.y
        simple = data.attributes[SIMPLE_LABEL]
        # An example without a simple feature (a patches example whose fast slot is noise)
        # has no spurious attribute, so it belongs to no group.
        kept = simple != NO_FEATURE
        correct, y, simple = correct[kept], data.y[kept], simple[kept]
        accuracies = group_accuracies(correct, y, simple, n_classes)
        for (label, simple_label), accuracy in accuracies.items():
            metrics[f"{split}_{group_key(label, simple_label)}"] = accuracy
        worst, mean = worst_and_mean(accuracies)
        metrics[f"{split}_worstgroup"], metrics[f"{split}_groupmean"] = worst, mean
        if split == BALANCED_FROM:
            rows = group_balanced_rows(y, simple)
            balanced = float(correct[rows].mean()) if len(rows) else math.nan
            metrics[f"{split}_balanced"] = balanced
    return metrics
