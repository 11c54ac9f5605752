"""Spectral bias (Rahaman et al. 2019) and Fourier features (Tancik et al. 2020): what a
coordinate network has fitted, by frequency over training and by held-out pixels.

Rahaman et al. (nasimrahaman/SpectralBias, ICML_SpectralBias.ipynb) fit a sum of sines of
frequencies 5..50 and draw, over training, each frequency's amplitude in the fit divided by
its amplitude in the target (``plot_spectral_dynamics``: ``2 |FFT| / A``). Their claim,
"lower frequencies are learned first", is read here as: the step at which a frequency's
normalised amplitude first reaches one half rises with the frequency, measured per run by
Spearman's rank correlation between the frequencies and those steps (a frequency that never
gets there ranks after every one that does, tied with the others that do not).

Tancik et al. (tancik/fourier-feature-networks, Demo.ipynb) score an image fit by PSNR,
-10 log10(mean squared error) for RGB in [0, 1] (``model_psnr``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

#: The share of its target amplitude at which a frequency counts as learned (Rahaman et
#: al.'s heat map runs from 0 to 1; one half is where its colour turns).
LEARNED_SHARE = 0.5


def half_amplitude_steps(
    steps: np.ndarray, normalised: np.ndarray, share: float = LEARNED_SHARE
) -> np.ndarray:
    """Per frequency (columns of ``normalised``, records x frequencies), the first recorded
    step at which its normalised amplitude is at least ``share``; inf where it never is."""
    steps = np.asarray(steps, dtype=np.float64)
    normalised = np.asarray(normalised, dtype=np.float64)
    if normalised.ndim != 2 or normalised.shape[0] != len(steps) or len(steps) == 0:
        raise ValueError(
            f"normalised must be (records, frequencies) with {len(steps)} records, got"
            f" {normalised.shape}"
        )
    reached = normalised >= share
    first = reached.argmax(axis=0)
    return np.where(reached.any(axis=0), steps[first], np.inf)


def learning_order(frequencies: Sequence[float], steps: np.ndarray) -> float:
    """Spearman's rank correlation between the frequencies and the steps at which they are
    learned (inf: never, ranked last and tied); 0 where the steps are all equal (no order,
    e.g. every frequency learned by the first record, or none at all)."""
    steps = np.asarray(steps, dtype=np.float64)
    if len(steps) < 2 or np.all(steps == steps[0]):
        return 0.0
    finite_last = np.where(np.isfinite(steps), steps, np.nanmax(steps[np.isfinite(steps)],
                           initial=0.0) + 1.0)  # fmt: skip
    return float(stats.spearmanr(np.asarray(frequencies, dtype=np.float64), finite_last)[0])


def spectral_dynamics(
    history: pd.DataFrame, frequencies: Sequence[int], steps_per_epoch: int
) -> tuple[np.ndarray, np.ndarray]:
    """The recorded steps and each frequency's amplitude in the fit over its amplitude in the
    target, (records, frequencies), from a run's history (the fit_spectrum probe's
    ``share_{k}`` columns, one row per epoch of ``steps_per_epoch`` steps)."""
    from simbias.train.recorders.fit_spectrum import share_column

    columns = [share_column(k) for k in frequencies]
    missing = [c for c in columns if c not in history]
    if missing:
        raise ValueError(
            f"the history lacks {missing}: record the experiment with probes [fit_spectrum]"
        )
    steps = history["epoch"].to_numpy(dtype=np.int64) * int(steps_per_epoch)
    return steps, history[columns].to_numpy(dtype=np.float64)


def spectral_bias_stats(
    steps: np.ndarray, normalised: np.ndarray, frequencies: Sequence[int]
) -> dict[str, float]:
    """Per frequency k its half-amplitude step (``f{k}_halfstep``, NaN where never reached)
    and final normalised amplitude (``f{k}_amplitude``); the rank correlation of frequency and
    half-amplitude step (``order_rho``) and how many frequencies reached one half
    (``order_reached``); the last step (``order_steps``)."""
    half = half_amplitude_steps(steps, normalised)
    result: dict[str, float] = {}
    for k, step, final in zip(frequencies, half, normalised[-1], strict=True):
        result[f"f{k}_halfstep"] = float(step) if np.isfinite(step) else float("nan")
        result[f"f{k}_amplitude"] = float(final)
    result["order_rho"] = learning_order(frequencies, half)
    result["order_reached"] = float(np.isfinite(half).sum())
    result["order_steps"] = float(steps[-1])
    return result


def spectral_bias_analysis(run_dir: str | Path, data_dir: str | Path) -> dict[str, float]:
    """:func:`spectral_bias_stats` of a finished run on a sum_of_sines dataset."""
    from simbias.data.store import read_card

    run_dir = Path(run_dir)
    generator = read_card(data_dir)["generator"]
    settings = json.loads((run_dir / "final.json").read_text())["train_settings"]
    steps_per_epoch = settings.get("steps_per_epoch") or 1
    history = pd.read_csv(run_dir / "history.csv")
    steps, normalised = spectral_dynamics(history, generator["frequencies"], steps_per_epoch)
    return spectral_bias_stats(steps, normalised, generator["frequencies"])


def psnr(predictions: np.ndarray, targets: np.ndarray) -> float:
    """Peak signal-to-noise ratio of values in [0, 1]: -10 log10(mean squared error)."""
    mse = float(np.mean((np.asarray(predictions, np.float64) - np.asarray(targets)) ** 2))
    return float("inf") if mse == 0 else -10.0 * np.log10(mse)


def image_fit_analysis(run_dir: str | Path, data_dir: str | Path, device: str) -> dict[str, Any]:
    """PSNR of a trained coordinate network on its training pixels (``train_psnr``), on the
    held-out pixels (``test_psnr``), on all of them (``all_psnr``, the demo's test PSNR), and
    the gap train - held-out (``gap_psnr``: how far it overfits)."""
    import torch

    from simbias.data.store import load_split
    from simbias.train.engine import predict_logits
    from simbias.train.run import load_trained_model

    model = load_trained_model(run_dir, data_dir, device)
    fits, targets = {}, {}
    for split in ("train", "test"):
        data = load_split(data_dir, split)
        x = torch.from_numpy(data.x).to(device)
        fits[split] = predict_logits(model, x).cpu().numpy()
        targets[split] = data.y
    result = {f"{split}_psnr": psnr(fits[split], targets[split]) for split in fits}
    result["all_psnr"] = psnr(np.concatenate([fits["train"], fits["test"]]),
                              np.concatenate([targets["train"], targets["test"]]))  # fmt: skip
    result["gap_psnr"] = result["train_psnr"] - result["test_psnr"]
    return result
