"""Timing benchmarks of the training code (``scripts/bench.py`` runs them).

Each benchmark is a function returning a JSON-serialisable dict; ``BENCHMARKS`` maps
their names to them, so a new benchmark is one function plus one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simbias.bench.vmap_bench import bench_vmap_vs_sequential

BENCHMARKS: dict[str, Callable[..., dict[str, Any]]] = {
    "vmap_seeds": bench_vmap_vs_sequential,
}
