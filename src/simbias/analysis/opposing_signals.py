"""Opposing signals (Rosenfeld & Risteski 2023, "Outliers with Opposing Signals Have an
Outsized Effect on Neural Network Optimization") and the edge of stability.

The paper finds, among the training examples whose loss changes most between iterations,
paired groups that share a large feature but have different labels: as the network's
reliance on that feature swings, one group's loss rises while the other's falls. Here the
top-changing examples are split in two by the sign of their (standardised) loss-change
series' projection on the series' first principal component, and the two groups' mean
loss changes are correlated: strongly negative means they oscillate in opposition.

``dynamics`` (the run's ``dynamics.npz``) holds ``steps`` (T,), ``losses`` (T, N_tracked),
``tracked_index`` (N_tracked,) into the train split, ``sharpness`` (T,) with NaN where not
measured, and ``lr`` (T,).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Share of the tracked examples taken as "top-changing" by default (the planted outliers
#: of ``simbias.data.opposing`` are 5% of the train split).
DEFAULT_TOP = 0.05
#: Edge of stability: sharpness at or above this share of 2/lr counts as "at the edge".
EOS_SHARE = 0.9


def max_loss_change(losses: np.ndarray) -> np.ndarray:
    """Per example (N,): the largest |loss change| between consecutive recorded iterations."""
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 2 or len(losses) < 2:
        raise ValueError(f"losses must be (T >= 2, N), got shape {losses.shape}")
    return np.abs(np.diff(losses, axis=0)).max(axis=0)


def loss_change_ranking(losses: np.ndarray) -> np.ndarray:
    """Example indices (N,) ordered by :func:`max_loss_change`, largest first (ties by index)."""
    return np.argsort(-max_loss_change(losses), kind="stable")


def _top_count(top: int | float, n: int) -> int:
    if isinstance(top, float) and 0 < top < 1:
        return max(2, math.ceil(top * n))
    if isinstance(top, int | np.integer) and not isinstance(top, bool) and top >= 2:
        return min(int(top), n)
    raise ValueError(f"top must be a fraction in (0, 1) or an integer >= 2, got {top!r}")


@dataclass
class OpposingGroups:
    """Two groups of examples (indices into the ``losses`` columns) and their mean loss
    curves (T,). Group a is the one with more members (ties: the one holding the
    highest-ranked example)."""

    index_a: np.ndarray
    index_b: np.ndarray
    curve_a: np.ndarray
    curve_b: np.ndarray
    #: label -> count per group; empty when no labels were given.
    labels_a: dict[int, int]
    labels_b: dict[int, int]


def _split_by_first_component(changes: np.ndarray) -> np.ndarray:
    """Boolean (k,) side of each row of ``changes`` (k, T-1) along the first principal axis
    of the rows standardised over time (flat rows have no side: False)."""
    centred = changes - changes.mean(axis=1, keepdims=True)
    scale = centred.std(axis=1, keepdims=True)
    z = np.divide(centred, scale, out=np.zeros_like(centred), where=scale > 0)
    # First right-singular vector: the shared time pattern; rows project with either sign.
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    return z @ vt[0] > 0


def _label_counts(labels: np.ndarray | None, index: np.ndarray) -> dict[int, int]:
    if labels is None:
        return {}
    values, counts = np.unique(np.asarray(labels)[index], return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


def opposing_groups(
    losses: np.ndarray, labels: np.ndarray | None = None, top: int | float = DEFAULT_TOP
) -> OpposingGroups:
    """Split the ``top`` most-changing examples (a count, or a share of N) into the two
    groups whose loss changes run against each other. ``labels`` (N,) are only counted."""
    losses = np.asarray(losses, dtype=np.float64)
    ranking = loss_change_ranking(losses)
    chosen = ranking[: _top_count(top, losses.shape[1])]
    side = _split_by_first_component(np.diff(losses[:, chosen], axis=0).T)
    index_a, index_b = chosen[side], chosen[~side]
    if len(index_b) > len(index_a) or (len(index_b) == len(index_a) and not side[0]):
        index_a, index_b = index_b, index_a
    nan_curve = np.full(len(losses), np.nan)
    return OpposingGroups(
        index_a=np.sort(index_a),
        index_b=np.sort(index_b),
        curve_a=losses[:, index_a].mean(axis=1) if len(index_a) else nan_curve,
        curve_b=losses[:, index_b].mean(axis=1) if len(index_b) else nan_curve,
        labels_a=_label_counts(labels, index_a),
        labels_b=_label_counts(labels, index_b),
    )


def opposition_score(curve_a: np.ndarray, curve_b: np.ndarray) -> float:
    """Pearson correlation of two loss curves' step-to-step changes: -1 when one group's
    loss rises exactly when the other's falls; NaN when either is constant or too short."""
    da, db = np.diff(np.asarray(curve_a, float)), np.diff(np.asarray(curve_b, float))
    if len(da) < 2 or not (np.all(np.isfinite(da)) and np.all(np.isfinite(db))):
        return math.nan
    if da.std() == 0 or db.std() == 0:
        return math.nan
    return float(np.corrcoef(da, db)[0, 1])


def edge_of_stability(sharpness: np.ndarray, lr: np.ndarray) -> dict[str, float]:
    """Sharpness against the gradient-descent stability threshold 2/lr (lr of each step).

    ``sharpness_over_two_over_lr`` is the largest sharpness_t / (2 / lr_t);
    ``fraction_above_90pct`` the share of the later half of the measured steps with
    sharpness_t >= 0.9 * 2 / lr_t; ``two_over_lr`` is 2/lr at the last measured step."""
    sharpness = np.asarray(sharpness, dtype=np.float64)
    lr = np.asarray(lr, dtype=np.float64)
    if sharpness.shape != lr.shape or sharpness.ndim != 1:
        raise ValueError(f"sharpness {sharpness.shape} and lr {lr.shape} must be equal 1-D")
    measured = np.isfinite(sharpness) & np.isfinite(lr) & (lr > 0)
    keys = ("final_sharpness", "max_sharpness", "two_over_lr")
    keys += ("sharpness_over_two_over_lr", "fraction_above_90pct")
    if not measured.any():
        return dict.fromkeys(keys, math.nan)
    s, threshold = sharpness[measured], 2.0 / lr[measured]
    later = slice(len(s) // 2, None)
    return {
        "final_sharpness": float(s[-1]),
        "max_sharpness": float(s.max()),
        "two_over_lr": float(threshold[-1]),
        "sharpness_over_two_over_lr": float((s / threshold).max()),
        "fraction_above_90pct": float(np.mean(s[later] >= EOS_SHARE * threshold[later])),
    }


def opposing_signals_analysis(
    dynamics: dict[str, np.ndarray],
    labels: np.ndarray | None = None,
    outlier_mask: np.ndarray | None = None,
    top: int | float = DEFAULT_TOP,
) -> dict[str, float]:
    """Flat floats for one run. ``labels`` and ``outlier_mask`` are over the whole train
    split (indexed through ``tracked_index``); without a mask the outlier keys are NaN.

    Keys: ``opposition_correlation``, ``group_a_size``, ``group_b_size``, ``n_tracked``,
    ``n_recorded``, ``group_a_label_purity`` / ``group_b_label_purity`` (share of the
    group's majority label), ``outlier_fraction_in_groups`` (share of grouped examples
    that are planted outliers), ``outlier_recall`` (share of tracked outliers grouped),
    and :func:`edge_of_stability`'s keys when ``sharpness`` and ``lr`` are present."""
    losses = np.asarray(dynamics["losses"], dtype=np.float64)
    tracked = np.asarray(dynamics.get("tracked_index", np.arange(losses.shape[1])))
    if len(tracked) != losses.shape[1]:
        raise ValueError(f"tracked_index has {len(tracked)} entries, losses {losses.shape[1]}")
    tracked_labels = None if labels is None else np.asarray(labels)[tracked]
    groups = opposing_groups(losses, tracked_labels, top=top)
    grouped = np.concatenate([groups.index_a, groups.index_b])
    result = {
        "opposition_correlation": opposition_score(groups.curve_a, groups.curve_b),
        "group_a_size": float(len(groups.index_a)),
        "group_b_size": float(len(groups.index_b)),
        "n_tracked": float(losses.shape[1]),
        "n_recorded": float(len(losses)),
        "group_a_label_purity": _purity(groups.labels_a),
        "group_b_label_purity": _purity(groups.labels_b),
        "outlier_fraction_in_groups": math.nan,
        "outlier_recall": math.nan,
    }
    if outlier_mask is not None:
        is_outlier = np.asarray(outlier_mask).astype(bool)[tracked]
        result["outlier_fraction_in_groups"] = float(is_outlier[grouped].mean())
        n_outliers = int(is_outlier.sum())
        if n_outliers:
            result["outlier_recall"] = float(is_outlier[grouped].sum() / n_outliers)
    if "sharpness" in dynamics and "lr" in dynamics:
        result.update(edge_of_stability(dynamics["sharpness"], dynamics["lr"]))
    return result


def _purity(counts: dict[int, int]) -> float:
    total = sum(counts.values())
    return max(counts.values()) / total if total else math.nan
