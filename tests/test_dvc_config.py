"""dvc.yaml stays in step with the config: every config file is a params file of every
stage, and the learning-curve plots draw one line per regime."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from simbias.report.tables import write_plot_data


def _dvc(repo) -> dict:
    return yaml.safe_load((repo / "dvc.yaml").read_text())


def test_every_config_file_is_a_params_file_of_every_stage(repo):
    config_files = {"config.yaml"} | {
        str(path.relative_to(repo)) for path in (repo / "configs" / "experiments").glob("*.yaml")
    }
    for name, stage in _dvc(repo)["stages"].items():
        files = {next(iter(p)) for p in stage["params"] if isinstance(p, dict)}
        assert files == config_files, name
        assert "snakemake.configfiles" in stage["params"], name


def test_the_plots_colour_by_the_regime_column_the_plot_data_has(repo, tmp_path):
    (definition,) = _dvc(repo)["plots"]
    (settings,) = definition.values()
    template = json.loads((repo / settings["template"]).read_text())
    assert template["encoding"]["color"]["field"] == "regime"
    manifest = []
    for regime in ("sgd", "sam"):
        path = tmp_path / f"{regime}.csv"
        pd.DataFrame(
            {"epoch": [1, 2], "test_accuracy": [0.5, 0.9], "train_loss": [1.0, 0.1]}
        ).to_csv(path, index=False)
        manifest.append({"experiment": "e", "dataset": "d", "model": "m", "regime": regime,
                         "seed": 0, "path": str(path)})  # fmt: skip
    (written,) = write_plot_data(manifest, tmp_path / "plots")
    plot = pd.read_csv(written)
    assert {settings["x"], settings["y"], "regime"} <= set(plot.columns)
    assert set(plot["regime"]) == {"sgd", "sam"}
