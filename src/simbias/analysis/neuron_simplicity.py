"""How simple a trained CNN's neurons are (after Chen, Agarwal and Nguyen 2020, who find
that adversarially trained ImageNet CNNs have smoother filters and neurons that prefer
lower-level features and fewer distinct kinds of input).

A *neuron* here is one output channel of a ``Conv2d`` layer (every ``Conv2d`` in module
order; layer ``i`` below is the ``i``-th). Its activation on an image is the channel's
conv output (before any normalisation or ReLU) **max-pooled over space**: the strongest
response anywhere in the image, as in top-activating-input visualisations. The probe
inputs are the cue-conflict dataset's evaluation splits, each image carrying a *concept*
and a class: its label, or for ``conflict`` images the (shape, texture) pair
(:mod:`simbias.analysis.probe_pool`). Per layer:

* smoothness of the neuron's *preferred input*, the mean of its ``top_k`` most
  activating probe images: total variation and high-frequency energy (both below);
* feature level: the concept among shape / texture / colour whose images activate the
  channel most on average; ``low_level_fraction`` is the fraction of channels preferring
  texture or colour;
* input types: an *input type* is a (concept, class) pair; ``input_types`` is the number
  of distinct types among a channel's ``top_k`` images (main measure), and
  ``effective_input_types`` is ``exp`` of the entropy of their types (1 for one type,
  ``m`` for ``m`` equally frequent types; less sensitive to a single stray image).

First-layer filters are scored directly (``filter_tv``, ``filter_high_freq``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from simbias.analysis.probe_pool import ProbePool, load_probe_pool
from simbias.train.run import load_trained_model

#: Concepts compared for a channel's feature level, and those counted as lower-level.
FEATURE_CONCEPTS = ("shape", "texture", "colour")
LOW_LEVEL_CONCEPTS = ("texture", "colour")
#: 3x3 filters are zero-padded to this size before the FFT, to sample their spectrum finely.
FILTER_FFT_SIZE = 16
DEFAULT_TOP_K = 20


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of horizontally and vertically neighbouring pixels of each
    image (N, C, H, W), divided by the image's mean absolute value, so that scaling an image
    (or a filter) leaves it unchanged; 0 for an all-zero image."""
    x = images.detach().float()
    dh = (x[..., :, 1:] - x[..., :, :-1]).abs().flatten(1)
    dv = (x[..., 1:, :] - x[..., :-1, :]).abs().flatten(1)
    tv = torch.cat([dh, dv], dim=1).mean(dim=1)
    scale = x.abs().flatten(1).mean(dim=1)
    return torch.where(scale > 0, tv / scale.clamp_min(torch.finfo(x.dtype).tiny), 0.0)


def high_frequency_energy(
    images: torch.Tensor, cutoff: float = 0.5, remove_mean: bool = True, pad_to: int | None = None
) -> torch.Tensor:
    """Fraction of the 2-D FFT power of each image (N, C, H, W), summed over channels, at
    radial frequency above ``cutoff`` times the Nyquist frequency; 0 for an image with no
    power. ``remove_mean`` subtracts each channel's mean first (so the DC term of a bright
    image does not swamp the rest); ``pad_to`` zero-pads small inputs (filters) to that
    size, sampling their frequency response finely."""
    x = images.detach().float()
    if remove_mean:
        x = x - x.mean(dim=(2, 3), keepdim=True)
    if pad_to is not None:
        x = F.pad(x, (0, max(pad_to - x.shape[-1], 0), 0, max(pad_to - x.shape[-2], 0)))
    power = torch.fft.fft2(x).abs().square().sum(dim=1)
    fy = torch.fft.fftfreq(x.shape[-2])[:, None]
    fx = torch.fft.fftfreq(x.shape[-1])[None, :]
    high = torch.sqrt(fy**2 + fx**2) / 0.5 > cutoff
    total = power.flatten(1).sum(dim=1)
    share = power[:, high].sum(dim=1) / total.clamp_min(torch.finfo(x.dtype).tiny)
    return torch.where(total > 0, share, 0.0)


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    """Every ``Conv2d`` of ``model`` with its name, in module order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def first_layer_filters(model: nn.Module) -> np.ndarray:
    """The first conv layer's weights (out, in, kh, kw)."""
    layers = conv_layers(model)
    if not layers:
        raise ValueError("the model has no Conv2d layer")
    return layers[0][1].weight.detach().cpu().numpy()


@torch.no_grad()
def layer_activations(
    model: nn.Module, layers: Sequence[nn.Module], x: torch.Tensor, batch_size: int = 512
) -> list[torch.Tensor]:
    """For each layer, its output channels max-pooled over space on ``x``: (N, channels),
    on the CPU; one forward pass over ``x`` for all layers, in eval mode."""
    outputs: list[list[torch.Tensor]] = [[] for _ in layers]

    def hook(index: int):
        def store(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
            outputs[index].append(output.detach().amax(dim=(2, 3)).float().cpu())

        return store

    handles = [layer.register_forward_hook(hook(i)) for i, layer in enumerate(layers)]
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        for start in range(0, len(x), batch_size):
            model(x[start : start + batch_size].to(device))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return [torch.cat(chunks) for chunks in outputs]


def channel_activations(
    model: nn.Module, layer: nn.Module, x: torch.Tensor, batch_size: int = 512
) -> torch.Tensor:
    """``layer``'s output channels max-pooled over space on ``x``: (N, channels)."""
    return layer_activations(model, [layer], x, batch_size)[0]


def top_k_indices(activations: torch.Tensor, k: int) -> np.ndarray:
    """Indices (k, channels) of each channel's ``k`` most activating inputs."""
    k = min(k, len(activations))
    return torch.topk(activations, k, dim=0).indices.numpy()


def input_type_counts(input_type: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Number of distinct input types among each channel's top inputs (k, channels)."""
    types = np.sort(input_type[top], axis=0)
    return 1 + (np.diff(types, axis=0) != 0).sum(axis=0)


def effective_input_types(input_type: np.ndarray, top: np.ndarray) -> np.ndarray:
    """``exp`` of the entropy of the input types among each channel's top inputs."""
    types = input_type[top]
    k, channels = types.shape
    counts = np.zeros((channels, int(input_type.max()) + 1))
    np.add.at(counts, (np.broadcast_to(np.arange(channels), types.shape), types), 1)
    p = counts / k
    entropy = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), axis=1)
    return np.exp(entropy)


def preferred_concepts(
    activations: torch.Tensor, concept: np.ndarray, candidates: Sequence[str] = FEATURE_CONCEPTS
) -> np.ndarray:
    """Per channel, the candidate concept whose images activate it most on average."""
    present = [c for c in candidates if np.any(concept == c)]
    if not present:
        raise ValueError(f"no probe images of the concepts {list(candidates)}")
    means = torch.stack([activations[torch.from_numpy(concept == c)].mean(0) for c in present])
    return np.array(present)[means.argmax(0).numpy()]


def layer_simplicity(
    activations: torch.Tensor, pool: ProbePool, top_k: int = DEFAULT_TOP_K
) -> dict[str, float]:
    """The per-layer measures (means over the layer's channels) from its activations."""
    top = top_k_indices(activations, top_k)
    preferred = pool.x[torch.from_numpy(top)].mean(dim=0)  # (channels, C, H, W)
    metrics = {
        "preferred_tv": float(total_variation(preferred).mean()),
        "preferred_high_freq": float(high_frequency_energy(preferred).mean()),
        "input_types": float(input_type_counts(pool.input_type, top).mean()),
        "effective_input_types": float(effective_input_types(pool.input_type, top).mean()),
    }
    if any(np.any(pool.concept == c) for c in FEATURE_CONCEPTS):
        levels = preferred_concepts(activations, pool.concept)
        metrics["low_level_fraction"] = float(np.isin(levels, LOW_LEVEL_CONCEPTS).mean())
    else:
        metrics["low_level_fraction"] = float("nan")
    return metrics


def model_simplicity(
    model: nn.Module, pool: ProbePool, top_k: int = DEFAULT_TOP_K, batch_size: int = 512
) -> dict[str, float]:
    """``filter_tv``, ``filter_high_freq``, ``layer{i}_{measure}`` for every conv layer, and
    ``mean_{measure}`` over layers."""
    filters = torch.from_numpy(first_layer_filters(model))
    metrics = {
        "filter_tv": float(total_variation(filters).mean()),
        # A filter's mean is its response to flat input: low-frequency energy, kept.
        "filter_high_freq": float(
            high_frequency_energy(filters, remove_mean=False, pad_to=FILTER_FFT_SIZE).mean()
        ),
    }
    layers = [layer for _, layer in conv_layers(model)]
    per_layer = [
        layer_simplicity(acts, pool, top_k)
        for acts in layer_activations(model, layers, pool.x, batch_size)
    ]
    for i, layer_metrics in enumerate(per_layer):
        metrics.update({f"layer{i}_{key}": value for key, value in layer_metrics.items()})
    for key in per_layer[0]:
        values = np.array([m[key] for m in per_layer])
        # NaN (no probe concept) in every layer stays NaN, without numpy's warning.
        finite = values[~np.isnan(values)]
        metrics[f"mean_{key}"] = float(finite.mean()) if len(finite) else float("nan")
    return metrics


def neuron_simplicity(
    run_dir: str | Path,
    data_dir: str | Path,
    device: str = "cpu",
    settings: dict[str, Any] | None = None,
) -> dict[str, float]:
    """``model_simplicity`` of a trained run on its dataset's probe pool; ``settings`` may
    set ``top_k`` (default ``DEFAULT_TOP_K``) and ``batch_size``."""
    settings = settings or {}
    model = load_trained_model(run_dir, data_dir, device)
    pool = load_probe_pool(data_dir)
    return model_simplicity(
        model,
        pool,
        top_k=int(settings.get("top_k", DEFAULT_TOP_K)),
        batch_size=int(settings.get("batch_size", 512)),
    )
