"""Shared fixtures: tiny tensors on the CPU, deterministic and single-threaded."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _single_thread():
    # Bit-identical comparisons need a fixed reduction order.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def repo() -> Path:
    return REPO


def write_blobs(path: Path, n: int = 200, dim: int = 4, shift: float = 1.0) -> Path:
    """A dataset of two gaussian blobs (labels 0/1, means 0 and ``shift``) in every split,
    written with its card like a generated dataset."""
    import numpy as np

    from simbias.data.base import DatasetSplits, Split
    from simbias.data.store import write_dataset

    rng = np.random.default_rng(0)
    splits = {}
    for name in ("train", "test", "s_rand", "sc_rand"):
        y = rng.integers(0, 2, n)
        x = rng.normal(size=(n, dim)).astype(np.float32) + shift * y[:, None]
        splits[name] = Split(x=x, y=y)
    write_dataset(path, "blobs", DatasetSplits(splits, {"kind": "blobs"}), seed=0)
    return path


def write_bright_dark_images(
    path: Path, splits: tuple[str, ...] = ("train", "test"), n: int = 96
) -> dict:
    """Two classes of 1x8x8 images in [0, 1], dark vs bright (global pooling sees it),
    written with its card; returns the splits."""
    import numpy as np

    from simbias.data.base import DatasetSplits, Split
    from simbias.data.store import write_dataset

    rng = np.random.default_rng(0)
    written = {}
    for name in splits:
        y = rng.integers(0, 2, n)
        x = rng.uniform(0, 0.5, size=(n, 1, 8, 8)) + 0.4 * y[:, None, None, None]
        written[name] = Split(x=np.clip(x, 0, 1).astype(np.float32), y=y)
    write_dataset(path, "images", DatasetSplits(written, {}, input_range=(0.0, 1.0)), seed=0)
    return written


def image_run_spec(regime: str, train: dict, pieces: dict) -> dict:
    """The spec of seed 0 of a 4-channel CNN on :func:`write_bright_dark_images`; the
    regime's ``pieces`` (a ``train`` entry among them replaces ``train``)."""
    return {
        "name": f"images/cnn/{regime}/seed0",
        "dataset": "images",
        "seed": 0,
        "model": {"kind": "cnn", "channels": [4]},
        "regime": {"name": regime, "train": train, **pieces},
        "probes": [],
    }


def train_cue_conflict_run(root: Path, epochs: int, **params) -> tuple[Path, Path, dict]:
    """A small CNN trained on a generated cue-conflict dataset (``params`` for the
    generator): returns the run directory, the data directory and ``final.json``."""
    from simbias.data.base import get_generator
    from simbias.data.store import write_dataset
    from simbias.train.run import train_run

    write_dataset(root / "data", "cc", get_generator("cue_conflict", params).generate(0), seed=0)
    spec = {
        "name": "cc/cnn/sgd/seed0",
        "dataset": "cc",
        "seed": 0,
        "model": {"kind": "cnn", "channels": [4, 8]},
        "regime": {"name": "sgd", "train": {"epochs": epochs, "lr": 0.05, "batch_size": 32}},
    }
    final = train_run(spec, root / "data", root / "run")
    return root / "run", root / "data", final


def snakemake_dry_run(repo: Path, workdir: Path, *configfiles: Path):
    """``snakemake -n`` of the repository's workflow in ``workdir`` with ``configfiles``."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1",
               "-s", str(repo / "Snakefile"), "--directory", str(workdir),
               "--configfile", *map(str, configfiles)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def path_without_venv() -> str:
    """PATH without this interpreter's directory: a job that runs a bare ``python`` from
    PATH would not find simbias (what a user who starts ``.venv/bin/snakemake`` has)."""
    import os
    import sys

    venv_bin = str(Path(sys.executable).parent)
    return os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)


def snakemake(repo: Path, workdir: Path, *args: str, timeout: int = 1200):
    """The repository's workflow in ``workdir`` on the tiny config, started by the venv's
    ``snakemake`` by its full path with the venv off PATH (the rules must find their
    interpreter themselves)."""
    import os
    import subprocess
    import sys

    command = [
        str(Path(sys.executable).parent / "snakemake"),
        "-s", str(repo / "Snakefile"), "--directory", str(workdir),
        "--configfile", str(repo / "config.yaml"), str(repo / "configs" / "tiny.yaml"),
        *args,
    ]  # fmt: skip
    env = dict(os.environ, PATH=path_without_venv())
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """The tiny config's whole DAG, run once per session (about 10 minutes on 2 cores):
    (repository, working directory). Every test module that needs finished results uses it."""
    workdir = tmp_path_factory.mktemp("tiny")
    result = snakemake(REPO, workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return REPO, workdir


def kill_stream_run_after_saves(monkeypatch, saves: int = 2) -> None:
    """Make the stream training loop die (KeyboardInterrupt) right after its ``saves``-th
    checkpoint is written, as a job killed between checkpoints would; undo with
    ``monkeypatch.undo()``."""
    from simbias.train import stream_fit

    original = stream_fit.save_torch_atomic
    saved = {"n": 0}

    def save_then_die(path, state):
        original(path, state)
        saved["n"] += 1
        if saved["n"] == saves:
            raise KeyboardInterrupt

    monkeypatch.setattr(stream_fit, "save_torch_atomic", save_then_die)


def seed_summary(experiment: str, values: dict[str, list[float]], regime: str = "coordinate_adam"):
    """An analysis summary as the claims read it (split, metric, n, mean, 95% t interval and
    the seed values per row) from per-seed values keyed ``{split}_{metric}``."""
    import numpy as np
    import pandas as pd

    from simbias.analysis.aggregate import format_values, mean_ci

    rows = []
    for key, seeds in values.items():
        split, _, metric = key.rpartition("_")
        low, high = mean_ci(np.asarray(seeds))
        rows.append({"experiment": experiment, "regime": regime, "split": split,
                     "metric": metric, "n": len(seeds), "mean": float(np.mean(seeds)),
                     "ci_low": low, "ci_high": high, "values": format_values(seeds)})  # fmt: skip
    return pd.DataFrame(rows)
