"""Timing benchmarks of the training code (``scripts/bench.py`` runs them).

A benchmark is a function taking keyword settings (including ``threads``, the torch
intra-op threads, None for the process's setting) and returning a JSON-serialisable dict
of its settings and timings. ``BENCHMARKS`` maps names to them, with the settings of a
quick run and the columns of the markdown summary: a new benchmark is one function
plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simbias.bench.engine_bench import bench_engine_vs_reference
from simbias.bench.planning_bench import bench_planning
from simbias.bench.vmap_bench import bench_vmap_vs_sequential


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

_VMAP_QUICK = {"n_train": 4000, "n_test": 1000, "epochs": 2, "repeats": 2}
_VMAP_COLUMNS = (
    ("regime", "regime"),
    ("n seeds", "n_seeds"),
    ("sequential s", "sequential_s"),
    ("vmapped s", "vmapped_s"),
    ("ratio", "ratio"),
    ("seq CPU s", "sequential_cpu_s"),
    ("vmapped CPU s", "vmapped_cpu_s"),
    ("CPU ratio", "ratio_cpu"),
    ("threads", "threads"),
)

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
    "vmap_seeds": Benchmark(
        run=bench_vmap_vs_sequential,
        quick=_VMAP_QUICK,
        columns=_VMAP_COLUMNS,
    ),
    # The same 8 MLP seeds under SAM and under PGD-3 adversarial training (each seed its
    # own SAM radius and its own attack), batched against sequential.
    "vmap_seeds_sam": Benchmark(
        run=lambda **kw: bench_vmap_vs_sequential(regime={"sam": {"rho": 0.05}}, **kw),
        quick=_VMAP_QUICK,
        columns=_VMAP_COLUMNS,
    ),
    "vmap_seeds_pgd": Benchmark(
        run=lambda **kw: bench_vmap_vs_sequential(
            regime={"adversarial": {"kind": "pgd", "eps": 0.03, "step_size": 0.015, "steps": 3}},
            **kw,
        ),
        quick=_VMAP_QUICK,
        columns=_VMAP_COLUMNS,
    ),
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
