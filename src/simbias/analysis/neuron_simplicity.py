"""How simple a trained CNN's neurons are, measured as Chen, Agarwal and Nguyen (2020)
measure it (repo anguyen8/shape-bias), who find that adversarially trained ImageNet CNNs
have smoother activation maps, neurons that prefer lower-level features, and neurons that
respond to fewer kinds of input.

A *neuron* is one channel of a layer's activation map after its nonlinearity, as the paper
hooks AlexNet's ReLUs ``features.1, 4, 7, 9, 11`` (conv1..conv5; ``settings/settings.py``,
``plotHelper.layerNames``) and ResNet-50's ``conv1, layer1..layer4``: here the ReLU that
follows each ``Conv2d`` (:func:`activation_layers`). Per layer, means over its channels:

* ``act_tv_clean`` / ``act_tv_noisy``: total variation of each channel's activation map,
  the sum of absolute differences of vertically and horizontally neighbouring values
  (``tv_obs.py``, ``tv_norm`` with ``tv_beta=1``, not normalised), averaged over the clean
  test images and over the same images with Gaussian noise added (``tv_obs.py`` compares
  the two per channel);
* ``input_types``: the number of distinct classes among the channel's ``top_k`` test
  images, ranked by the channel's spatial maximum (NetDissect's ``maxfeatures``, top
  ``TOPN = 10`` images per unit: ``feature_operation.py``, ``visualize/report.py``,
  ``settings.py``), all drawn from one clean distribution, the test split; and
  ``effective_input_types``, ``exp`` of the entropy of those classes. Channels whose
  ``top_k``-th activation is 0 (silent on most images: their top images are ties) are left
  out; ``active_channels`` is the fraction kept;
* ``low_level_fraction``: the share of channels whose mean activation is highest on the
  texture-only or colour-only probes rather than the shape-only ones (the paper's
  NetDissect categories texture/colour vs object).

First-layer filters are scored directly (``filter_tv``, ``filter_high_freq``), and
``first_layer_init_distance`` is ``||W - W0|| / ||W0||`` of the first conv's kernel, with
``W0`` rebuilt from the run's seed: how far training moved it from its initialisation.
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
from simbias.data.store import load_split, read_card
from simbias.train.run import build_run_model, load_trained_model
from simbias.train.seeding import seed_everything

#: Concepts compared for a channel's feature level, and those counted as lower-level.
FEATURE_CONCEPTS = ("shape", "texture", "colour")
LOW_LEVEL_CONCEPTS = ("texture", "colour")
#: 3x3 filters are zero-padded to this size before the FFT, to sample their spectrum finely.
FILTER_FFT_SIZE = 16
#: The torchvision ResNet stages the paper hooks (ResNet-50: conv1, layer1..layer4); the
#: stem's ``relu`` stands for conv1 after its BatchNorm and ReLU.
RESNET_STAGES = ("relu", "layer1", "layer2", "layer3", "layer4")


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


def map_total_variation(maps: torch.Tensor) -> torch.Tensor:
    """Total variation of every channel's map of (N, C, H, W) activations, (N, C): the sum
    of absolute vertical and horizontal neighbour differences (tv_obs.py's ``tv_norm``,
    ``tv_beta=1``)."""
    x = maps.detach().float()
    dv = (x[..., 1:, :] - x[..., :-1, :]).abs().sum(dim=(2, 3))
    dh = (x[..., :, 1:] - x[..., :, :-1]).abs().sum(dim=(2, 3))
    return dv + dh


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


def activation_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The modules whose outputs are the model's activation maps, in order: a torchvision
    ResNet's ``RESNET_STAGES``; otherwise, for each ``Conv2d``, the first ``nn.ReLU``
    after it in module order (Conv-[BN]-ReLU blocks)."""
    stages = [getattr(model, name, None) for name in RESNET_STAGES]
    if all(isinstance(stage, nn.Module) for stage in stages):
        return list(zip(RESNET_STAGES, stages, strict=True))
    modules = list(model.named_modules())
    layers: list[tuple[str, nn.Module]] = []
    for index, (name, module) in enumerate(modules):
        if not isinstance(module, nn.Conv2d):
            continue
        relu = next(((n, m) for n, m in modules[index + 1 :] if isinstance(m, nn.ReLU)), None)
        if relu is None or any(relu[1] is m for _, m in layers):
            raise ValueError(f"conv layer {name!r} has no ReLU of its own after it")
        layers.append(relu)
    if not layers:
        raise ValueError("the model has no Conv2d layer")
    return layers


def first_layer_filters(model: nn.Module) -> np.ndarray:
    """The first conv layer's weights (out, in, kh, kw)."""
    layers = conv_layers(model)
    if not layers:
        raise ValueError("the model has no Conv2d layer")
    return layers[0][1].weight.detach().cpu().numpy()


def init_distance(model: nn.Module, initial: nn.Module) -> float:
    """``||W - W0|| / ||W0||`` (Frobenius) of the first conv kernels of a trained model and
    of the same network at its initialisation."""
    w, w0 = (torch.from_numpy(first_layer_filters(m)) for m in (model, initial))
    if w.shape != w0.shape:
        raise ValueError(
            f"first conv kernels differ in shape: {tuple(w.shape)} vs {tuple(w0.shape)}"
        )
    return float((w - w0).norm() / w0.norm())


@torch.no_grad()
def layer_maps(
    model: nn.Module, layers: Sequence[nn.Module], x: torch.Tensor, batch_size: int = 512
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """For each layer, on ``x``: its channels' spatial maxima (N, channels) and the total
    variation of their maps (N, channels), on the CPU; one forward pass in eval mode."""
    maxima: list[list[torch.Tensor]] = [[] for _ in layers]
    tvs: list[list[torch.Tensor]] = [[] for _ in layers]

    def hook(index: int):
        def store(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
            # Read now: an in-place op later in the forward pass may overwrite the output.
            maxima[index].append(output.detach().amax(dim=(2, 3)).float().cpu())
            tvs[index].append(map_total_variation(output).cpu())

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
    return [torch.cat(chunks) for chunks in maxima], [torch.cat(chunks) for chunks in tvs]


def layer_activations(
    model: nn.Module, layers: Sequence[nn.Module], x: torch.Tensor, batch_size: int = 512
) -> list[torch.Tensor]:
    """For each layer, its output channels max-pooled over space on ``x``: (N, channels)."""
    return layer_maps(model, layers, x, batch_size)[0]


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


def input_diversity(activations: torch.Tensor, labels: np.ndarray, top_k: int) -> dict[str, float]:
    """``input_types`` and ``effective_input_types`` (means over the channels whose
    ``top_k``-th activation is positive; NaN if none) and ``active_channels``, their share."""
    top = top_k_indices(activations, top_k)
    kth = activations.gather(0, torch.from_numpy(top[-1:]))[0]
    active = (kth > 0).numpy()
    if not active.any():
        return {"input_types": np.nan, "effective_input_types": np.nan, "active_channels": 0.0}
    return {
        "input_types": float(input_type_counts(labels, top[:, active]).mean()),
        "effective_input_types": float(effective_input_types(labels, top[:, active]).mean()),
        "active_channels": float(active.mean()),
    }


def preferred_concepts(
    activations: torch.Tensor, concept: np.ndarray, candidates: Sequence[str] = FEATURE_CONCEPTS
) -> np.ndarray:
    """Per channel, the candidate concept whose images activate it most on average."""
    present = [c for c in candidates if np.any(concept == c)]
    if not present:
        raise ValueError(f"no probe images of the concepts {list(candidates)}")
    means = torch.stack([activations[torch.from_numpy(concept == c)].mean(0) for c in present])
    return np.array(present)[means.argmax(0).numpy()]


def low_level_fraction(activations: torch.Tensor, concept: np.ndarray) -> float:
    """Share of channels preferring texture or colour probes; NaN without concept probes."""
    if not any(np.any(concept == c) for c in FEATURE_CONCEPTS):
        return float("nan")
    return float(np.isin(preferred_concepts(activations, concept), LOW_LEVEL_CONCEPTS).mean())


def add_noise(x: torch.Tensor, std: float, seed: int, clip: Sequence[float] | None) -> torch.Tensor:
    """``x`` plus N(0, std^2) noise drawn from ``seed``, clipped to ``clip`` if given."""
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    noisy = x + std * noise.to(x.dtype)
    return noisy if clip is None else noisy.clamp(float(clip[0]), float(clip[1]))


def model_simplicity(
    model: nn.Module,
    test_x: torch.Tensor,
    test_y: np.ndarray,
    pool: ProbePool | None,
    *,
    top_k: int,
    noise_std: float,
    noise_seed: int = 0,
    clip: Sequence[float] | None = None,
    batch_size: int = 512,
) -> dict[str, float]:
    """``filter_tv``, ``filter_high_freq``, ``layer{i}_{measure}`` for every activation
    layer, and ``mean_{measure}`` over layers (module docstring), from the clean test images
    ``test_x`` with labels ``test_y``, their noisy copies, and the concept probes ``pool``."""
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    filters = torch.from_numpy(first_layer_filters(model))
    metrics = {
        "filter_tv": float(total_variation(filters).mean()),
        # A filter's mean is its response to flat input: low-frequency energy, kept.
        "filter_high_freq": float(
            high_frequency_energy(filters, remove_mean=False, pad_to=FILTER_FFT_SIZE).mean()
        ),
    }
    layers = [layer for _, layer in activation_layers(model)]
    clean_max, clean_tv = layer_maps(model, layers, test_x, batch_size)
    noisy = add_noise(test_x, noise_std, noise_seed, clip)
    _, noisy_tv = layer_maps(model, layers, noisy, batch_size)
    concept_acts = (
        layer_activations(model, layers, pool.x, batch_size) if pool is not None else None
    )
    per_layer = []
    for i in range(len(layers)):
        # tv_obs.py: per channel the mean over images; here also the mean over channels.
        layer_metrics = {
            "act_tv_clean": float(clean_tv[i].mean()),
            "act_tv_noisy": float(noisy_tv[i].mean()),
            **input_diversity(clean_max[i], test_y, top_k),
            "low_level_fraction": (
                low_level_fraction(concept_acts[i], pool.concept)
                if concept_acts is not None
                else float("nan")
            ),
        }
        per_layer.append(layer_metrics)
        metrics.update({f"layer{i}_{key}": value for key, value in layer_metrics.items()})
    for key in per_layer[0]:
        values = np.array([m[key] for m in per_layer])
        # NaN (no probe concept, no active channel) in every layer stays NaN, unwarned.
        finite = values[~np.isnan(values)]
        metrics[f"mean_{key}"] = float(finite.mean()) if len(finite) else float("nan")
    return metrics


def initial_model(run_dir: str | Path, data_dir: str | Path, device: str = "cpu") -> nn.Module:
    """A finished run's network as it was initialised: built after seeding with the run's
    seed, as training builds it (simbias.train.run, simbias.train.vmap_seeds)."""
    final = read_final(run_dir)
    if final["config"]["regime"].get("ensemble"):
        raise ValueError(f"{run_dir}: an ensemble has no single initialisation")
    seed_everything(int(final["config"]["seed"]))
    return build_run_model(final["config"], read_card(data_dir)).to(device)


def read_final(run_dir: str | Path) -> dict[str, Any]:
    import json

    return json.loads((Path(run_dir) / "final.json").read_text())


def neuron_simplicity(
    run_dir: str | Path,
    data_dir: str | Path,
    device: str = "cpu",
    *,
    top_k: int,
    noise_std: float,
    batch_size: int = 512,
) -> dict[str, float]:
    """``model_simplicity`` of a trained run on its dataset's test split and concept probes,
    with ``first_layer_init_distance``; the noise is drawn from the run's seed (settings:
    simbias.analysis.analyses.neuron_simplicity)."""
    model = load_trained_model(run_dir, data_dir, device)
    test = load_split(data_dir, "test")
    card = read_card(data_dir)
    metrics = model_simplicity(
        model,
        torch.from_numpy(test.x),
        test.y,
        pool=load_probe_pool(data_dir),
        top_k=top_k,
        noise_std=noise_std,
        noise_seed=int(read_final(run_dir)["config"]["seed"]),
        clip=card.get("input_range"),
        batch_size=batch_size,
    )
    metrics["first_layer_init_distance"] = init_distance(
        model, initial_model(run_dir, data_dir, device)
    )
    return metrics
