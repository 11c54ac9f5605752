"""The engine-vs-reference and planning benchmarks run (quick sizes) and report
consistent numbers; no timing is asserted."""

from __future__ import annotations

import json

import pytest
import torch

from simbias.bench.reference_loop import PerSampleDataset, image_transform
from simbias.bench.runner import run_benchmarks


def test_reference_transform_is_torchvision_crop_and_flip():
    image = torch.randint(0, 256, (32, 32, 3), dtype=torch.uint8).numpy()
    dataset = PerSampleDataset(image[None], [3], image_transform(padding=4))
    torch.manual_seed(0)
    out, label = dataset[0]
    assert label == 3 and out.shape == (3, 32, 32) and out.dtype == torch.float32
    # The crop is a shifted window of the zero-padded image, possibly mirrored.
    padded = torch.nn.functional.pad(torch.from_numpy(image).permute(2, 0, 1) / 255, (4,) * 4)
    windows = [padded[:, r : r + 32, c : c + 32] for r in range(9) for c in range(9)]
    assert any(torch.allclose(out, w) or torch.allclose(out, w.flip(-1)) for w in windows)


def test_engine_benchmarks_write_consistent_json(tmp_path):
    summary = run_benchmarks(["engine_mlp", "engine_resnet18"], tmp_path, quick=True)
    for name in ("engine_mlp", "engine_resnet18"):
        row = json.loads((tmp_path / f"{name}.json").read_text())["results"][0]
        assert row["ratio"] == pytest.approx(row["reference_s"] / row["engine_s"])
        n = row["steps"] * row["batch_size"]
        assert row["engine_examples_per_s"] == pytest.approx(n / row["engine_s"])
    assert "crop_padding=4, flip=True, channels_last=True" in summary


def test_planning_benchmark_counts_the_paper_dag(tmp_path, repo):
    from simbias.bench.planning_bench import bench_planning

    row = bench_planning(repo=repo, repeats=1)
    assert row["jobs"] > 50 and row["planning_s"] > 0
