"""The LMS-5 data the benchmarks train on (the slabs generator, seed 0)."""

from __future__ import annotations

from simbias.data.base import Split, get_generator


def lms5_splits(n_train: int, n_test: int, dim: int = 50) -> dict[str, Split]:
    params = {"n_train": n_train, "n_test": n_test, "dim": dim, "simple": "linear"}
    return get_generator("slabs", params).generate(0).splits
