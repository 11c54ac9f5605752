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

from simbias.bench.vmap_bench import bench_vmap_vs_sequential


@dataclass(frozen=True)
class Benchmark:
    run: Callable[..., dict[str, Any]]
    #: Keyword arguments for a smaller, quicker run (``--quick``).
    quick: dict[str, Any] = field(default_factory=dict)
    #: (column header, result key) of the markdown summary.
    columns: tuple[tuple[str, str], ...] = ()


BENCHMARKS: dict[str, Benchmark] = {
    "vmap_seeds": Benchmark(
        run=bench_vmap_vs_sequential,
        quick={"n_train": 4000, "n_test": 1000, "epochs": 2, "repeats": 2},
        columns=(
            ("n seeds", "n_seeds"),
            ("sequential s", "sequential_s"),
            ("vmapped s", "vmapped_s"),
            ("ratio", "ratio"),
            ("seq CPU s", "sequential_cpu_s"),
            ("vmapped CPU s", "vmapped_cpu_s"),
            ("CPU ratio", "ratio_cpu"),
            ("threads", "threads"),
        ),
    ),
}
