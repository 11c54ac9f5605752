"""Opposing signals (Rosenfeld & Risteski 2023, "Outliers with Opposing Signals Have an
Outsized Effect on Neural Network Optimization", arXiv 2311.04163, ICLR 2024) and the edge
of stability.

The paper (its abstract and ICLR/NeurIPS-workshop summaries; its body text and code could
not be read here, so no section is cited; the selection follows simbias issue 15) finds the
groups among the training examples whose loss changes most at an iteration: the examples
whose loss rises most and those whose loss falls most, which share a large feature but
carry different labels, and it follows them on: their losses oscillate, high on one group
and then the other. Here, as a test that cannot build the opposition in:

* windows: the recorded iterations are cut in two disjoint windows of losses, ``select``
  (the first ``select_share`` of the records) and ``score`` (every later record but the
  first, so that no loss value is shared by the two windows);
* select: at each iteration t of the select window, the ``k`` examples with the largest
  loss change L[t+1] - L[t] (the rising group) and the ``k`` with the smallest (the
  falling group), ``2 k`` the ``top`` share of the tracked examples; groups whose majority
  labels are equal are not a pair; of the pairs, the one at the iteration with the widest
  gap between the two groups' mean changes is kept;
* score: over the score window, the covariance of the two groups' mean loss changes
  (negative: anti-phase, its size the swings' size; the paper's claim is of outsized
  swings, and a scale-free correlation cannot tell the outliers from the rest of their
  classes when whole classes swing against each other), against a permutation null, the
  same statistic for ``null_draws`` random pairs of groups with the same sizes and the same
  label counts; ``p`` is the share of the null at or below the observed value (with the
  observed one counted in), 1 when no pair differs in label. The Pearson correlation of
  the same changes (-1: exactly anti-phase) is reported beside it.

``dynamics`` (the run's ``dynamics.npz``) holds ``steps`` (T,), ``losses`` (T, N_tracked),
``tracked_index`` (N_tracked,) into the train split, ``sharpness`` (T,) with NaN where not
measured, and ``lr`` (T,).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Share of the tracked examples in the two groups together (the planted outliers of the
#: opposing_signals generator are 5% of the train split, half in each class).
DEFAULT_TOP = 0.05
#: Share of the recorded iterations in the select window; the score window is the rest.
DEFAULT_SELECT_SHARE = 0.5
#: Random label-matched pairs of groups in the permutation null (p resolves 1/201).
DEFAULT_NULL_DRAWS = 200
#: Edge of stability: sharpness at or above this share of 2/lr counts as "at the edge".
EOS_SHARE = 0.9


def max_loss_change(losses: np.ndarray) -> np.ndarray:
    """Per example (N,): the largest |loss change| between consecutive recorded iterations."""
    losses = _losses(losses)
    return np.abs(np.diff(losses, axis=0)).max(axis=0)


def loss_change_ranking(losses: np.ndarray) -> np.ndarray:
    """Example indices (N,) ordered by :func:`max_loss_change`, largest first (ties by index)."""
    return np.argsort(-max_loss_change(losses), kind="stable")


def _losses(losses: np.ndarray) -> np.ndarray:
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 2 or len(losses) < 2:
        raise ValueError(f"losses must be (T >= 2, N), got shape {losses.shape}")
    return losses


def group_size(top: int | float, n: int) -> int:
    """Examples per group: half of ``top`` (a share of ``n`` in (0, 1), or a count >= 2),
    at least 1 and at most n // 2 so that the two groups are disjoint."""
    if isinstance(top, float) and 0 < top < 1:
        total = math.ceil(top * n)
    elif isinstance(top, int | np.integer) and not isinstance(top, bool) and top >= 2:
        total = int(top)
    else:
        raise ValueError(f"top must be a fraction in (0, 1) or an integer >= 2, got {top!r}")
    if n < 2:
        raise ValueError(f"opposing groups need at least 2 tracked examples, got {n}")
    return max(1, min(total // 2, n // 2))


@dataclass(frozen=True)
class Windows:
    """Record indices of the two windows: ``select`` [0, select_end), ``score``
    [score_start, T); select_end <= score_start - 1, so no loss record is in both."""

    select_end: int
    score_start: int
    n_records: int


def split_windows(n_records: int, select_share: float = DEFAULT_SELECT_SHARE) -> Windows:
    """The select window holds the first ``select_share`` of the records (at least 2, one
    change); the score window starts one record later and must keep at least 3 (2 changes)."""
    if not 0 < select_share < 1:
        raise ValueError(f"select_share must be in (0, 1), got {select_share!r}")
    select_end = max(2, int(select_share * n_records))
    score_start = select_end + 1
    if n_records - score_start < 3:
        raise ValueError(
            f"{n_records} recorded iterations are too few for a select window of "
            f"{select_end} and a later score window of at least 3 records"
        )
    return Windows(select_end, score_start, n_records)


def _majority(labels: np.ndarray) -> int:
    """The most common label (ties: the smallest)."""
    values, counts = np.unique(labels, return_counts=True)
    return int(values[np.argmax(counts)])


@dataclass
class OpposingGroups:
    """The rising and the falling group (indices into the ``losses`` columns, sorted), the
    record index ``iteration`` at whose change they were selected (-1: no pair differed in
    label, both groups empty) and their mean loss curves (T,) over all records."""

    index_a: np.ndarray
    index_b: np.ndarray
    iteration: int
    curve_a: np.ndarray
    curve_b: np.ndarray
    #: label -> count per group; empty when no labels were given.
    labels_a: dict[int, int]
    labels_b: dict[int, int]

    @property
    def found(self) -> bool:
        return self.iteration >= 0


def _label_counts(labels: np.ndarray | None, index: np.ndarray) -> dict[int, int]:
    if labels is None or not len(index):
        return {}
    values, counts = np.unique(np.asarray(labels)[index], return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


def opposing_groups(
    losses: np.ndarray,
    labels: np.ndarray | None = None,
    top: int | float = DEFAULT_TOP,
    select_end: int | None = None,
) -> OpposingGroups:
    """The rising and falling groups selected on records [0, select_end) (all records by
    default); see the module docstring. Without ``labels`` the label requirement is not
    applied (every iteration gives a pair)."""
    losses = _losses(losses)
    end = len(losses) if select_end is None else select_end
    if not 2 <= end <= len(losses):
        raise ValueError(f"select_end must be in [2, {len(losses)}], got {end}")
    n = losses.shape[1]
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries, losses {n} columns")
    k = group_size(top, n)
    changes = np.diff(losses[:end], axis=0)  # (end - 1, N): change t is L[t+1] - L[t]
    order = np.argsort(changes, axis=1, kind="stable")
    fall, rise = order[:, :k], order[:, -k:]
    gaps = np.take_along_axis(changes, rise, 1).mean(1) - np.take_along_axis(changes, fall, 1).mean(
        1
    )
    if labels is not None:
        labels = np.asarray(labels)
        differ = np.array(
            [_majority(labels[r]) != _majority(labels[f]) for r, f in zip(rise, fall, strict=True)]
        )
        gaps = np.where(differ, gaps, -np.inf)
    empty = np.zeros(0, dtype=np.int64)
    if not np.isfinite(gaps).any():
        nan_curve = np.full(len(losses), np.nan)
        return OpposingGroups(empty, empty, -1, nan_curve, nan_curve, {}, {})
    t = int(np.argmax(gaps))
    index_a, index_b = np.sort(rise[t]), np.sort(fall[t])
    return OpposingGroups(
        index_a=index_a,
        index_b=index_b,
        iteration=t,
        curve_a=losses[:, index_a].mean(axis=1),
        curve_b=losses[:, index_b].mean(axis=1),
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


def opposition_covariance(curve_a: np.ndarray, curve_b: np.ndarray) -> float:
    """Covariance of two loss curves' step-to-step changes: negative when one group's loss
    rises when the other's falls, as large as their swings; NaN when too short or not finite."""
    da, db = np.diff(np.asarray(curve_a, float)), np.diff(np.asarray(curve_b, float))
    if len(da) < 2 or not (np.all(np.isfinite(da)) and np.all(np.isfinite(db))):
        return math.nan
    return float(np.mean((da - da.mean()) * (db - db.mean())))


def null_scores(
    score_losses: np.ndarray,
    labels: np.ndarray | None,
    index_a: np.ndarray,
    index_b: np.ndarray,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(draws, 2): :func:`opposition_score` (correlation) and :func:`opposition_covariance` of
    ``draws`` random disjoint pairs of groups with the sizes and, given ``labels``, the
    label counts of ``index_a`` and ``index_b``: what any two groups of those labels do in
    the score window (the class-wide swings included)."""
    n = score_losses.shape[1]
    labels = np.zeros(n, dtype=np.int64) if labels is None else np.asarray(labels)
    pools = {int(c): np.flatnonzero(labels == c) for c in np.unique(labels)}
    need = {
        c: (int(np.sum(labels[index_a] == c)), int(np.sum(labels[index_b] == c))) for c in pools
    }
    scores = np.empty((draws, 2))
    for d in range(draws):
        a, b = [], []
        for c, (na, nb) in need.items():
            if na + nb:
                picked = rng.choice(pools[c], size=na + nb, replace=False)
                a.append(picked[:na])
                b.append(picked[na:])
        curves = (
            score_losses[:, np.concatenate(a)].mean(1),
            score_losses[:, np.concatenate(b)].mean(1),
        )
        scores[d] = opposition_score(*curves), opposition_covariance(*curves)
    return scores


def permutation_p(observed: float, null: np.ndarray) -> float:
    """One-sided p of ``observed`` being as low as it is: (1 + #null <= observed) /
    (1 + #null), NaN draws left out; 1 when ``observed`` is NaN or no draw is finite."""
    null = np.asarray(null, dtype=float)
    null = null[np.isfinite(null)]
    if not math.isfinite(observed) or not len(null):
        return 1.0
    return float((1 + np.sum(null <= observed)) / (1 + len(null)))


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
    select_share: float = DEFAULT_SELECT_SHARE,
    null_draws: int = DEFAULT_NULL_DRAWS,
    seed: int = 0,
) -> dict[str, float]:
    """Flat floats for one run. ``labels`` and ``outlier_mask`` are over the whole train
    split (indexed through ``tracked_index``); without a mask the outlier keys are NaN.

    Keys: ``opposition_correlation`` and ``opposition_covariance`` (score window),
    ``opposition_null_correlation`` / ``opposition_null_covariance`` (the null's medians),
    ``opposition_pvalue`` (of the covariance), ``groups_label_differ`` (1 when a pair with
    different majority labels was found), ``select_step`` (the step of the selecting
    change, NaN when none), ``select_end_step`` / ``score_start_step`` (the windows),
    ``group_a_size``, ``group_b_size``, ``n_tracked``, ``n_recorded``,
    ``group_a_label_purity`` / ``group_b_label_purity`` (share of the group's majority
    label), ``outlier_fraction_in_groups`` (share of grouped examples that are planted
    outliers), ``outlier_recall`` (share of tracked outliers grouped), and
    :func:`edge_of_stability`'s keys when ``sharpness`` and ``lr`` are present."""
    losses = _losses(dynamics["losses"])
    tracked = np.asarray(dynamics.get("tracked_index", np.arange(losses.shape[1])))
    if len(tracked) != losses.shape[1]:
        raise ValueError(f"tracked_index has {len(tracked)} entries, losses {losses.shape[1]}")
    steps = np.asarray(dynamics.get("steps", np.arange(len(losses))))
    tracked_labels = None if labels is None else np.asarray(labels)[tracked]
    windows = split_windows(len(losses), select_share)
    groups = opposing_groups(losses, tracked_labels, top=top, select_end=windows.select_end)
    score = losses[windows.score_start :]
    correlation = covariance = math.nan
    null = np.full((0, 2), np.nan)
    if groups.found:
        curves = score[:, groups.index_a].mean(1), score[:, groups.index_b].mean(1)
        correlation, covariance = opposition_score(*curves), opposition_covariance(*curves)
        rng = np.random.default_rng(seed)
        null = null_scores(score, tracked_labels, groups.index_a, groups.index_b, null_draws, rng)
    grouped = np.concatenate([groups.index_a, groups.index_b])
    result = {
        "opposition_correlation": correlation,
        "opposition_covariance": covariance,
        "opposition_null_correlation": _median(null[:, 0]),
        "opposition_null_covariance": _median(null[:, 1]),
        "opposition_pvalue": permutation_p(covariance, null[:, 1]),
        "groups_label_differ": float(groups.found),
        "select_step": float(steps[groups.iteration]) if groups.found else math.nan,
        "select_end_step": float(steps[windows.select_end - 1]),
        "score_start_step": float(steps[windows.score_start]),
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
        if len(grouped):
            result["outlier_fraction_in_groups"] = float(is_outlier[grouped].mean())
        n_outliers = int(is_outlier.sum())
        if n_outliers:
            result["outlier_recall"] = float(is_outlier[grouped].sum() / n_outliers)
    if "sharpness" in dynamics and "lr" in dynamics:
        result.update(edge_of_stability(dynamics["sharpness"], dynamics["lr"]))
    return result


def _median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else math.nan


def _purity(counts: dict[int, int]) -> float:
    total = sum(counts.values())
    return max(counts.values()) / total if total else math.nan
