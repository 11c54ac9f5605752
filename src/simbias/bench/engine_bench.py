"""Our engine against the papers' style of training loop (``reference_loop``), same model,
data, batch size and number of steps, in one process; the fastest of ``repeats``
alternating runs of each side is reported.

Both sides train for one epoch of ``steps`` batches, timed from the first batch's creation
(worker start-up included for the reference: the papers' loops pay it every epoch) to the
end of the epoch; each side is warmed up once on a few steps first, so one-off costs
(allocations, oneDNN kernel selection) are not counted. The engine runs with the settings
given (for images: crop + flip on the device, and the fastest CPU settings, bf16 autocast
and channels_last where the CPU has native bf16); the reference runs float32 with
per-sample torchvision transforms in ``num_workers`` DataLoader workers.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

import numpy as np
import torch

from simbias.bench.lms import lms5_splits
from simbias.bench.reference_loop import (
    PerSampleDataset,
    image_transform,
    reference_train,
    vector_transform,
)
from simbias.models import build_model
from simbias.train.device import cpu_has_native_bf16
from simbias.train.engine import TensorData, fit
from simbias.train.spec import TrainSpec


def _images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-shaped uint8 images (N, 32, 32, 3) and 10-class labels (content is irrelevant
    to the timing; no download)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n)


def fastest_cpu_settings() -> dict[str, Any]:
    """channels_last always; bf16 autocast only where the CPU has it natively."""
    return {"channels_last": True, **({"precision": "bf16"} if cpu_has_native_bf16() else {})}


def _time_engine(model, x: torch.Tensor, y: torch.Tensor, spec: TrainSpec) -> float:
    with tempfile.TemporaryDirectory() as run_dir:
        started = time.perf_counter()
        fit(model, TensorData(x, y), spec, seed=0, run_dir=run_dir, run_name="bench")
        return time.perf_counter() - started


def _time_reference(model, dataset, batch_size: int, lr: float, workers: int) -> float:
    started = time.perf_counter()
    reference_train(model, dataset, batch_size, lr, num_workers=workers)
    return time.perf_counter() - started


def bench_engine_vs_reference(
    workload: str = "resnet18",
    steps: int | None = None,
    batch_size: int = 128,
    warmup_steps: int = 2,
    num_workers: int = 2,
    repeats: int = 3,
    settings: dict[str, Any] | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Examples per second of our engine and of the reference loop on ``workload``
    (``resnet18``: CIFAR ResNet-18 on 32 x 32 images with crop + flip; ``mlp``: the LMS-5
    MLP), and their ratio."""
    if threads is not None:
        torch.set_num_threads(threads)
    # One LMS-5 epoch (20 000 examples) for the MLP; eight steps of ResNet-18 (~1 s each).
    steps = steps or {"resnet18": 8, "mlp": 20000 // batch_size}.get(workload, 8)
    n = steps * batch_size
    if workload == "resnet18":
        images, labels = _images(n)
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255).contiguous()
        dataset = PerSampleDataset(images, labels, image_transform())
        engine_settings = {"crop_padding": 4, "flip": True, **fastest_cpu_settings()}
        input_shape, n_classes, model_kind, model_params, lr = (3, 32, 32), 10, "resnet18", {}, 0.1
    elif workload == "mlp":
        train = lms5_splits(n, 2)["train"]
        features, labels = train.x, train.y
        x = torch.from_numpy(features)
        dataset = PerSampleDataset(features, labels, vector_transform)
        engine_settings = {}
        input_shape, n_classes, model_kind = (features.shape[1],), 2, "mlp"
        model_params, lr = {"width": 100, "depth": 1}, 0.1
    else:
        raise ValueError(f"unknown workload {workload!r}; known: resnet18, mlp")
    engine_settings.update(settings or {})
    y = torch.from_numpy(np.asarray(labels)).long()

    def model():
        torch.manual_seed(0)
        return build_model(model_kind, model_params, input_shape, n_classes)

    spec = TrainSpec(epochs=1, lr=lr, batch_size=batch_size, schedule="constant", **engine_settings)
    # Warm-up on a few steps, in this process, for both sides.
    w = warmup_steps * batch_size
    _time_engine(model(), x[:w], y[:w], spec)
    _time_reference(model(), torch.utils.data.Subset(dataset, range(w)), batch_size, lr, 0)

    # Alternating repeats, fastest of each: the least disturbed by the rest of the machine.
    engine_times, reference_times = [], []
    for _ in range(repeats):
        engine_times.append(_time_engine(model(), x, y, spec))
        reference_times.append(_time_reference(model(), dataset, batch_size, lr, num_workers))
    engine_s, reference_s = min(engine_times), min(reference_times)
    return {
        "workload": workload,
        "steps": steps,
        "batch_size": batch_size,
        "engine_settings": ", ".join(f"{k}={v}" for k, v in engine_settings.items()) or "float32",
        "num_workers": num_workers,
        "repeats": repeats,
        "threads": torch.get_num_threads(),
        "engine_s": engine_s,
        "reference_s": reference_s,
        "engine_examples_per_s": n / engine_s,
        "reference_examples_per_s": n / reference_s,
        "ratio": reference_s / engine_s,
    }
