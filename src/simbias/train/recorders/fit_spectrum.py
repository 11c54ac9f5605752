"""Per epoch, the amplitude of each target frequency in a 1-d network's fit (Rahaman et
al. 2019, nasimrahaman/SpectralBias ``fft`` and ``compute_spectra``): the network's output
on the training grid t = j / N, its DFT, and at each frequency k of the target

    amplitude_k = 2 |sum_j f(t_j) exp(-2 pi i k j / N)| / N,

the amplitude of a sine of frequency k (one-sided spectrum, hence the 2), divided by its
amplitude A_k in the target (Rahaman et al.'s ``norm_dynamics``: 1 when fitted). Recorded into
history.csv as ``share_{k}``, so into every checkpoint: the spectral-bias analysis and its
figure read the curves from there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from simbias.train.recorders import RECORDERS, Probe


def sine_amplitudes(values: np.ndarray, frequencies: Sequence[int]) -> np.ndarray:
    """The amplitude of each frequency (cycles over the grid) in ``values`` sampled on a
    uniform grid of N points: 2 |DFT_k| / N, exact for a sine of frequency k < N / 2."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be 1-d samples on a grid, got shape {values.shape}")
    n = len(values)
    frequencies = np.asarray(frequencies, dtype=np.int64)
    if frequencies.min() < 1 or 2 * frequencies.max() >= n:
        raise ValueError(f"frequencies must lie in 1 .. {(n - 1) // 2} for {n} points")
    return 2.0 * np.abs(np.fft.rfft(values)[frequencies]) / n


def share_column(frequency: int) -> str:
    """A frequency's history column: its amplitude in the fit over that in the target."""
    return f"share_{frequency}"


def spectrum_probe(
    points: int, frequencies: Sequence[int], target_amplitudes: Sequence[float]
) -> Probe:
    """A per-epoch probe recording :func:`sine_amplitudes` of the network's fit on the
    grid t = j / ``points``, each over its ``target_amplitudes``."""
    grid = (torch.arange(points, dtype=torch.float32) / points)[:, None]
    frequencies = [int(k) for k in frequencies]
    targets = np.asarray(target_amplitudes, dtype=np.float64)

    @torch.no_grad()
    def probe(model: nn.Module) -> dict[str, float]:
        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        fit = model(grid.to(device)).reshape(-1).cpu().numpy()
        model.train(was_training)
        shares = sine_amplitudes(fit, frequencies) / targets
        return {share_column(k): float(a) for k, a in zip(frequencies, shares, strict=True)}

    return probe


@RECORDERS.register(
    "fit_spectrum",
    caption="Per epoch, the amplitude of each target frequency in a 1-d network's fit on its"
    " training grid over its amplitude in the target (share_{k} in history.csv; Rahaman et"
    " al. 2019's spectral dynamics).",
    hook="epoch",
)
def from_card(card: dict) -> Probe:
    """The probe for a sum_of_sines dataset (its grid size and frequencies)."""
    generator = card["generator"]
    return spectrum_probe(
        generator["points"], generator["frequencies"], generator["amplitude_values"]
    )
