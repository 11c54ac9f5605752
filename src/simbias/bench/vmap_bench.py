"""Seeds trained together (``fit_seeds``) against the same seeds one after another (``fit``),
and against the naive torch.func loop (:mod:`simbias.bench.naive_seeds`).

Each workload is a model kind of the default scale on the data it trains on there: the
LMS-5 MLP (the ``slabs`` generator), the small CNN on 16x16 digits, the two-layer CNN on
USEFUL's patches. All sides train the same seeds with the same settings, in this one
process and with the same torch thread count. Each side is warmed up once, then timed
``repeats`` times, alternating; the fastest repeat of each is reported (the least
disturbed by the rest of the machine).

What the times include:

- ``sequential_s``: for every seed, seeding, building the model and a full ``fit``, which
  evaluates on the test split and writes a checkpoint after every epoch, as a real run.
- ``batched_s``: ``fit_seeds`` for all seeds: building, stacking, training, the same
  evaluation and one checkpoint per seed per epoch, unstacking.
- ``naive_s`` (plain SGD only): the naive loop's steps; no evaluation, no checkpoints.
- ``*_cpu_s``: the same spans in process CPU time (all threads), fastest repeat.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from simbias.bench.lms import lms5_splits
from simbias.bench.naive_seeds import naive_seed_loop
from simbias.data.base import get_generator
from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.regime import Regime
from simbias.train.run import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds


@dataclass(frozen=True)
class Workload:
    kind: str
    params: dict[str, Any]
    batch_size: int
    epochs: int
    #: Where the data comes from, as the default scale makes it.
    source: str


WORKLOADS = {
    # Pitfalls' LMS-5 MLP at the paper's batch 256.
    "mlp": Workload("mlp", {"width": 100, "depth": 1}, 256, 3, "slabs LMS-5, d=50"),
    # config.yaml's cnn_small on the USEFUL digits task (batch 64 as regimes_digits).
    "cnn": Workload("cnn", {"channels": [16, 32]}, 64, 2, "digits 16x16, 10 classes"),
    # USEFUL's two-layer CNN on its patches data model.
    "two_layer_cnn": Workload("two_layer_cnn", {"filters": 5}, 50, 10, "patches P=4, d=32"),
}


def _data(model: str, n_train: int | None) -> tuple[TensorData, TensorData]:
    if model == "mlp":
        splits = lms5_splits(n_train or 20000, 5000, 50)
    elif model == "cnn":
        params = {"size": 16, "test_fraction": 0.3, "noise": 0.1, "max_shift": 1}
        splits = get_generator("digits", params).generate(0).splits
    else:
        params = {"n_train": n_train or 500, "n_test": 500}
        splits = get_generator("patches", params).generate(0).splits

    def tensors(name: str) -> TensorData:
        return TensorData(
            x=torch.from_numpy(splits[name].x), y=torch.from_numpy(splits[name].y).long()
        )

    return tensors("train"), tensors("test")


def bench_vmap_vs_sequential(
    model: str = "mlp",
    n_seeds: int = 8,
    n_train: int | None = None,
    epochs: int | None = None,
    repeats: int = 3,
    threads: int | None = None,
    regime: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Seconds to train ``n_seeds`` seeds of ``model`` batched vs sequentially (and vs the
    naive loop under plain SGD), under ``regime``'s pieces (e.g. ``{"sam": {"rho": 0.05}}``).

    ``threads`` sets torch's intra-op threads for the benchmark (restored afterwards).
    """
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return _bench(model, n_seeds, n_train, epochs, repeats, regime or {})
    finally:
        torch.set_num_threads(previous_threads)


def _bench(model, n_seeds, n_train, epochs, repeats, sections) -> dict[str, Any]:
    workload = WORKLOADS[model]
    name = "+".join(sorted(sections)) or "sgd"
    regime = Regime.from_dict({"name": name, **sections}, input_range=None)
    pieces = {"update": regime.update, "transform": regime.transform}
    train, test = _data(model, n_train)
    spec = TrainSpec(
        epochs=epochs or workload.epochs, lr=0.05, momentum=0.9, batch_size=workload.batch_size
    )
    seeds = list(range(n_seeds))
    eval_sets = {"test": test}
    n_classes = int(train.y.max()) + 1

    def build(seed: int) -> torch.nn.Module:
        return build_model(workload.kind, workload.params, tuple(train.x.shape[1:]), n_classes)

    def timed(side):
        started, cpu_started = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory(prefix="simbias-bench-") as tmp:
            side(Path(tmp))
        return time.perf_counter() - started, time.process_time() - cpu_started

    def sequential(tmp: Path) -> None:
        for s in seeds:
            seed_everything(s)
            fit(build(s), train, spec, s, tmp / str(s), f"seed{s}", eval_sets, **pieces)

    def batched(tmp: Path) -> None:
        dirs = [tmp / str(s) for s in seeds]
        fit_seeds(build, seeds, train, spec, eval_sets, work_dirs=dirs, **pieces)

    def naive(tmp: Path) -> None:
        models = []
        for s in seeds:
            seed_everything(s)
            models.append(build(s))
        naive_seed_loop(models, seeds, train, spec)

    sides = {"sequential": sequential, "batched": batched}
    if not sections:
        sides["naive"] = naive
    for side in sides.values():  # warm-up
        timed(side)
    runs: dict[str, list[tuple[float, float]]] = {key: [] for key in sides}
    for _ in range(repeats):  # interleaved, so that all see the same machine load
        for key, side in sides.items():
            runs[key].append(timed(side))
    result: dict[str, Any] = {
        "model": model,
        "data": workload.source,
        "regime": regime.name,
        "n_seeds": n_seeds,
        "n_train": len(train),
        "epochs": spec.epochs,
        "batch_size": workload.batch_size,
        "repeats": repeats,
        "threads": torch.get_num_threads(),
        "device": "cpu",
        "torch": torch.__version__,
    }
    for key, times in runs.items():
        result[f"{key}_s"] = min(wall for wall, _ in times)
        result[f"{key}_cpu_s"] = min(cpu for _, cpu in times)
        result[f"{key}_runs_s"] = [wall for wall, _ in times]
    result["ratio"] = result["sequential_s"] / result["batched_s"]
    result["ratio_cpu"] = result["sequential_cpu_s"] / result["batched_cpu_s"]
    if "naive" in runs:
        result["naive_ratio"] = result["sequential_s"] / result["naive_s"]
    return result
