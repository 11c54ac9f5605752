"""Seeds trained together (``fit_seeds``) against the same seeds one after another (``fit``).

Both train the same MLPs on the same LMS-5 data (the ``slabs`` generator, seed 0) with
the same settings, evaluating on the test split every epoch, in this one process and
with the same torch thread count. Each side is warmed up once, then timed ``repeats``
times, alternating; the fastest repeat of each is reported (the least disturbed by the
rest of the machine).

What the times include:

- ``sequential_s``: for every seed, seeding, building the model and a full ``fit``,
  which writes a checkpoint (``torch.save`` + atomic rename) after every epoch into a
  fresh temporary run directory, exactly as a real run does.
- ``sequential_train_s``: the sum of ``fit``'s per-epoch ``seconds`` over all seeds:
  the training steps and evaluation only, without the checkpoint writes and setup.
- ``vmapped_s``: ``fit_seeds`` for all seeds (building, stacking, training, evaluating,
  unstacking; it writes no checkpoints).
- ``*_cpu_s``: the same spans in process CPU time (all threads), fastest repeat. On a
  shared machine wall times swing with other load while CPU time mostly does not (with
  one thread; with several, threads waiting for a busy core still spin and count).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from simbias.bench.lms import lms5_splits
from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.regime import Regime
from simbias.train.run import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds


def _lms_data(n_train: int, n_test: int, dim: int) -> tuple[TensorData, TensorData]:
    splits = lms5_splits(n_train, n_test, dim)

    def tensors(name: str) -> TensorData:
        return TensorData(
            x=torch.from_numpy(splits[name].x), y=torch.from_numpy(splits[name].y).long()
        )

    return tensors("train"), tensors("test")


def bench_vmap_vs_sequential(
    n_seeds: int = 8,
    n_train: int = 20000,
    n_test: int = 5000,
    dim: int = 50,
    width: int = 100,
    depth: int = 1,
    epochs: int = 3,
    batch_size: int = 256,
    repeats: int = 3,
    threads: int | None = None,
    regime: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Seconds to train ``n_seeds`` MLP seeds vmapped vs sequentially, and their ratio,
    under ``regime``'s pieces (e.g. ``{"sam": {"rho": 0.05}}``; default plain SGD).

    ``threads`` sets torch's intra-op threads for the benchmark (restored afterwards);
    None keeps the process's setting.
    """
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        name = "+".join(sorted(regime or {})) or "sgd"
        pieces = Regime.from_dict({"name": name, **(regime or {})}, input_range=None)
        return _bench(
            n_seeds, n_train, n_test, dim, width, depth, epochs, batch_size, repeats, pieces
        )
    finally:
        torch.set_num_threads(previous_threads)


def _bench(
    n_seeds: int,
    n_train: int,
    n_test: int,
    dim: int,
    width: int,
    depth: int,
    epochs: int,
    batch_size: int,
    repeats: int,
    regime: Regime,
) -> dict[str, Any]:
    pieces = {"update": regime.update, "transform": regime.transform}
    train, test = _lms_data(n_train, n_test, dim)
    spec = TrainSpec(epochs=epochs, lr=0.1, momentum=0.9, batch_size=batch_size)
    seeds = list(range(n_seeds))
    eval_sets = {"test": test}

    def build(seed: int) -> torch.nn.Module:
        return build_model("mlp", {"width": width, "depth": depth}, (dim,), 2)

    def sequential() -> tuple[float, float, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        train_seconds = 0.0
        with tempfile.TemporaryDirectory(prefix="simbias-bench-") as tmp:
            for s in seeds:
                seed_everything(s)
                model = build(s)
                result = fit(
                    model, train, spec, s, Path(tmp) / str(s), f"seed{s}", eval_sets, **pieces
                )
                train_seconds += sum(row["seconds"] for row in result.history)
            cpu = time.process_time() - cpu_started
            return time.perf_counter() - started, train_seconds, cpu

    def vmapped() -> tuple[float, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        fit_seeds(build, seeds, train, spec, eval_sets, **pieces)
        return time.perf_counter() - started, time.process_time() - cpu_started

    sequential()  # warm-up
    vmapped()
    sequential_runs, vmapped_runs = [], []
    for _ in range(repeats):  # interleaved, so that both see the same machine load
        sequential_runs.append(sequential())
        vmapped_runs.append(vmapped())
    sequential_s, sequential_train_s, _ = min(sequential_runs)
    vmapped_s = min(wall for wall, _ in vmapped_runs)
    sequential_cpu_s = min(cpu for _, _, cpu in sequential_runs)
    vmapped_cpu_s = min(cpu for _, cpu in vmapped_runs)
    examples = n_seeds * epochs * n_train
    return {
        "regime": regime.name,
        "n_seeds": n_seeds,
        "n_train": n_train,
        "n_test": n_test,
        "dim": dim,
        "width": width,
        "depth": depth,
        "epochs": epochs,
        "batch_size": batch_size,
        "repeats": repeats,
        "threads": torch.get_num_threads(),
        "device": "cpu",
        "torch": torch.__version__,
        "sequential_s": sequential_s,
        "sequential_train_s": sequential_train_s,
        "vmapped_s": vmapped_s,
        "sequential_examples_per_s": examples / sequential_s,
        "vmapped_examples_per_s": examples / vmapped_s,
        "ratio": sequential_s / vmapped_s,
        "ratio_train_only": sequential_train_s / vmapped_s,
        "sequential_cpu_s": sequential_cpu_s,
        "vmapped_cpu_s": vmapped_cpu_s,
        "ratio_cpu": sequential_cpu_s / vmapped_cpu_s,
        "sequential_runs_s": [wall for wall, _, _ in sequential_runs],
        "vmapped_runs_s": [wall for wall, _ in vmapped_runs],
        "includes": {
            "sequential_s": "seeding, model build and fit per seed, incl. a checkpoint "
            "write per epoch per seed and per-epoch test evaluation",
            "sequential_train_s": "sum of fit's per-epoch seconds: steps and evaluation, "
            "no checkpoint writes or setup",
            "vmapped_s": "fit_seeds for all seeds: build, stack, steps, per-epoch test "
            "evaluation, unstack; no checkpoints",
        },
    }
