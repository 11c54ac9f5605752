"""The edge of stability (Cohen et al. 2021) in one run's recorded sharpness.

Under full-batch GD at step size lr, the loss is stable along the Hessian's top direction
only while the sharpness (its top eigenvalue) is below 2 / lr. Cohen et al. find that the
sharpness first rises (progressive sharpening) and then hovers at, or just above, 2 / lr
for the rest of training. The statistics here describe that curve in units of 2 / lr, the
threshold in force at each measurement (``lr`` is recorded with every step): at
initialisation, the median over the last third of training (where the curve should
hover), its largest and its last value.

``dynamics`` is a run's ``dynamics.npz`` (simbias.train.recorders.dynamics): ``steps``
(T,), ``sharpness`` (T,) with NaN where not measured, ``lr`` (T,) and ``losses``
(T, N_tracked), the tracked examples' training losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: What :func:`edge_of_stability_stats` returns.
STAT_KEYS = (
    "initial_sharpness", "initial_ratio", "late_sharpness", "late_ratio", "max_sharpness",
    "max_ratio", "final_sharpness", "final_ratio", "edge_threshold",
)  # fmt: skip


def edge_of_stability_stats(
    steps: np.ndarray, sharpness: np.ndarray, lr: np.ndarray
) -> dict[str, float]:
    """Sharpness statistics and the same in units of 2 / lr (``*_ratio``):

    - ``initial``: the first measurement (step 0 when recorded there);
    - ``late``: the median over the measurements in the last third of training, steps at
      or after 2/3 of the last measured step;
    - ``max`` and ``final``: the largest and the last measurement;
    - ``edge_threshold``: 2 / lr at the last measurement.
    """
    steps = np.asarray(steps, dtype=np.float64)
    sharpness = np.asarray(sharpness, dtype=np.float64)
    lr = np.asarray(lr, dtype=np.float64)
    if not steps.shape == sharpness.shape == lr.shape or steps.ndim != 1:
        raise ValueError(
            f"steps {steps.shape}, sharpness {sharpness.shape} and lr {lr.shape} must be equal 1-D"
        )
    measured = np.isfinite(sharpness) & np.isfinite(lr) & (lr > 0)
    if measured.sum() < 2:
        raise ValueError(
            f"the edge of stability needs at least two sharpness measurements, found"
            f" {int(measured.sum())}: set the experiment's dynamics sharpness_every"
        )
    at, value, threshold = steps[measured], sharpness[measured], 2.0 / lr[measured]
    ratio = value / threshold
    late = 3 * at >= 2 * at[-1]  # the last third, exact for integer steps
    return {
        "initial_sharpness": float(value[0]),
        "initial_ratio": float(ratio[0]),
        "late_sharpness": float(np.median(value[late])),
        "late_ratio": float(np.median(ratio[late])),
        "max_sharpness": float(value.max()),
        "max_ratio": float(ratio.max()),
        "final_sharpness": float(value[-1]),
        "final_ratio": float(ratio[-1]),
        "edge_threshold": float(threshold[-1]),
    }


def final_training_loss(losses: np.ndarray) -> float:
    """The mean training loss of the tracked examples at the last record: the loss the
    run reached, to tell apart "flatter" from "trained less far"."""
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 2 or losses.shape[0] == 0:
        raise ValueError(f"losses must be (records, examples) with a record, got {losses.shape}")
    return float(losses[-1].mean())


def edge_of_stability_analysis(dynamics: dict[str, Any]) -> dict[str, float]:
    """:func:`edge_of_stability_stats` of a run's dynamics, with ``final_loss``."""
    missing = sorted({"steps", "sharpness", "lr", "losses"} - set(dynamics))
    if missing:
        raise ValueError(f"dynamics lack {missing}; record them with the dynamics recorder")
    measured = np.isfinite(np.asarray(dynamics["sharpness"], dtype=np.float64))
    if measured.sum() < 2:
        # A run whose recorder measured the sharpness once (a short run, a sparse
        # sharpness_every) has no trajectory: the atlas runs this on every run that recorded
        # dynamics, so it reports NaN there instead of failing the job.
        result = dict.fromkeys(STAT_KEYS, float("nan"))
    else:
        result = edge_of_stability_stats(dynamics["steps"], dynamics["sharpness"], dynamics["lr"])
    result["final_loss"] = final_training_loss(dynamics["losses"])
    return result
