"""The icl_simplicity figure draws every predictor's curves for each pretraining
distribution from the icl_regression analysis's group files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from simbias.report.figures import write_figure
from simbias.report.figures.icl_simplicity import PREDICTORS, curve


def _group_file(path, offset: float) -> None:
    rng = np.random.default_rng(0)
    seeds = {}
    for seed in range(3):
        values = {}
        for predictor in PREDICTORS:
            for k in range(1, 6):
                values[f"{predictor}_m1k{k}power"] = offset / k + 0.01 * rng.random()
                values[f"{predictor}_m2k{k}power"] = 0.5
            for k in range(6):
                values[f"{predictor}_k{k}error"] = 1 / (1 + k) + 0.01 * rng.random()
        seeds[f"seed{seed}"] = values
    path.write_text(json.dumps(seeds))


def test_the_figure_draws_both_pretraining_distributions(tmp_path):
    manifest = []
    for experiment, offset in (("icl_fourier_mixture", 0.1), ("icl_fourier_single", 0.5)):
        path = tmp_path / f"{experiment}.json"
        _group_file(path, offset)
        manifest += [
            {"experiment": experiment, "dataset": experiment.split("_", 1)[1], "model": "gpt2",
             "regime": "icl_adam", "seed": seed, "path": str(path)}
            for seed in range(3)
        ]  # fmt: skip
    write_figure("icl_simplicity", manifest, tmp_path / "fig.png", tmp_path / "fig.pdf")
    for name in ("fig.png", "fig.pdf"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_a_curve_is_one_predictor_ordered_by_k():
    rows = pd.DataFrame(
        {"split": ["trained", "trained", "trained", "bayes"],
         "metric": ["m1k10power", "m1k2power", "k2error", "m1k1power"],
         "mean": [0.1, 0.2, 0.3, 0.4]}
    )  # fmt: skip
    chosen = curve(rows, "trained", r"m1k(\d+)power")
    assert list(chosen["k"]) == [2, 10] and list(chosen["mean"]) == [0.2, 0.1]
