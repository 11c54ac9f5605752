"""Timing benchmarks of the training code (``scripts/bench.py`` runs them).

A benchmark is a function taking keyword settings (including ``threads``, the torch
intra-op threads, None for the process's setting) and returning a JSON-serialisable dict
of its settings and timings. ``BENCHMARKS`` maps names to them, with the settings of a
quick run and the columns of the markdown summary: a new benchmark is one function
plus one entry here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simbias.bench.engine_bench import bench_engine_vs_reference
from simbias.bench.planning_bench import bench_planning
from simbias.bench.vmap_bench import WORKLOADS, bench_vmap_vs_sequential


@dataclass(frozen=True)
class Benchmark:
    run: Callable[..., dict[str, Any]]
    #: Keyword arguments for a smaller, quicker run (``--quick``).
    quick: dict[str, Any] = field(default_factory=dict)
    #: (column header, result key) of the markdown summary.
    columns: tuple[tuple[str, str], ...] = ()


_ENGINE_COLUMNS = (
    ("workload", "workload"),
    ("batch", "batch_size"),
    ("steps", "steps"),
    ("engine settings", "engine_settings"),
    ("engine ex/s", "engine_examples_per_s"),
    ("reference ex/s", "reference_examples_per_s"),
    ("ratio", "ratio"),
    ("threads", "threads"),
)

_SEEDS_QUICK = {"n_train": 2000, "epochs": 1, "repeats": 1, "n_seeds": 4}
_SEEDS_COLUMNS = (
    ("model", "model"),
    ("regime", "regime"),
    ("n seeds", "n_seeds"),
    ("sequential s", "sequential_s"),
    ("batched s", "batched_s"),
    ("ratio", "ratio"),
    ("naive s", "naive_s"),
    ("naive ratio", "naive_ratio"),
    ("CPU ratio", "ratio_cpu"),
    ("threads", "threads"),
)
_SEED_REGIMES = {
    "sgd": {},
    "sam": {"sam": {"rho": 0.05}},
    "pgd": {"adversarial": {"kind": "pgd", "eps": 0.03, "step_size": 0.015, "steps": 3}},
}


def _seed_benchmarks() -> dict[str, Benchmark]:
    """8 seeds batched against sequential for each model kind and regime (seeds_mlp_sam, ...)."""
    return {
        f"seeds_{model}_{name}": Benchmark(
            run=functools.partial(bench_vmap_vs_sequential, model=model, regime=sections),
            quick=_SEEDS_QUICK,
            columns=_SEEDS_COLUMNS,
        )
        for model in WORKLOADS
        for name, sections in _SEED_REGIMES.items()
    }


BENCHMARKS: dict[str, Benchmark] = {
    "engine_resnet18": Benchmark(
        run=lambda **kw: bench_engine_vs_reference(workload="resnet18", **{"repeats": 2, **kw}),
        quick={"steps": 2, "batch_size": 16, "warmup_steps": 1, "repeats": 1},
        columns=_ENGINE_COLUMNS,
    ),
    "engine_mlp": Benchmark(
        # Batch 256: the Pitfalls paper's (and config.yaml's) batch for the LMS MLP.
        run=lambda **kw: bench_engine_vs_reference(workload="mlp", **{"batch_size": 256, **kw}),
        quick={"steps": 20, "batch_size": 64, "warmup_steps": 2, "repeats": 1},
        columns=_ENGINE_COLUMNS,
    ),
    **_seed_benchmarks(),
    "paper_planning": Benchmark(
        run=bench_planning,
        quick={"repeats": 1},
        columns=(
            ("config", "configfile"),
            ("jobs", "jobs"),
            ("planning s", "planning_s"),
            ("target s", "target_s"),
        ),
    ),
}
