"""configs/paper.yaml: valid on its own, every experiment planned, sources cited."""

from __future__ import annotations

import re

import yaml
from conftest import snakemake_dry_run

from simbias.plan import load_config
from simbias.plan.runs import run_specs


def test_paper_config_validates_and_names_its_sources(repo):
    path = repo / "configs" / "paper.yaml"
    config = load_config(path)
    kinds = {d["kind"] for d in config["datasets"].values()}
    assert {"mnist_cifar", "cifar10", "cifar100"} <= kinds  # real data, not the stand-ins
    assert config["models"]["resnet18"]["kind"] == "resnet18"
    text = path.read_text()
    # Every source tag used in a comment is defined in the header, and vice versa.
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    defined = {m for c in comments if (m := re.match(r"\s+\[(\w+)\]\s", c))}
    defined = {m.group(1) for m in defined}
    used = {tag for c in comments for tag in re.findall(r"\[(\w+)\]", c)}
    assert {"P", "U"} <= defined and used == defined


def test_paper_config_plans_its_whole_dag_without_data(repo, tmp_path):
    result = snakemake_dry_run(repo, tmp_path, repo / "configs" / "paper.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((repo / "configs" / "paper.yaml").read_text())
    # The overlay switches off the default-scale experiments with no paper-scale version.
    assert "results/tables/claims.md" in result.stdout
    for dataset in config["datasets"]:
        assert f"results/data/{dataset}" in result.stdout
    assert "dominoes_2k" not in result.stdout and "digits" not in result.stdout
    assert not (tmp_path / "results").exists()


def test_paper_config_plans_the_scaling_sweep_on_cifar100_with_the_whole_recipe(repo):
    specs = run_specs(load_config(repo / "configs" / "paper.yaml"))
    runs = {path: spec for path, spec in specs.items() if path.startswith("cifar100/")}
    shapes = {path.split("/")[1] for path in runs}
    assert shapes == {"mlp_b6_w512", "mlp_b12_w512", "mlp_b6_w1024", "mlp_b12_w1024"}
    for spec in runs.values():  # [SM] utils/parsers.py: Lion 5e-5, batch 4096, 0.3, 0.8
        train = spec["regime"]["train"]
        assert (train["optimizer"], train["lr"], train["batch_size"]) == ("lion", 5e-5, 4096)
        assert train["loss"] == "smoothed_cross_entropy" and train["mixup"] == 0.8
