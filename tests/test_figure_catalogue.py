"""The figure catalogue: every figure says what it is drawn from and what it shows, and
write_figure draws one from its manifest into PNG and PDF."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from simbias.report.figures import FIGURES, write_figure


def _analysis_names() -> set[str]:
    try:
        from simbias.analysis import ANALYSES
    except ImportError:  # before the analyses became a catalogue
        from simbias.analysis.registry import RUN_ANALYSES

        return set(RUN_ANALYSES)
    return set(ANALYSES.names())


def test_every_module_registers_its_figure():
    assert [entry.name for entry in FIGURES.entries()] == FIGURES.names()
    assert len(FIGURES.names()) >= 11


@pytest.mark.parametrize("name", FIGURES.names())
def test_every_figure_has_a_caption_and_a_known_source(name):
    entry = FIGURES.get(name)
    assert entry.caption.strip() and entry.caption == " ".join(entry.caption.split())
    source = entry.meta["source"]
    if source.startswith("analysis:"):
        assert source.removeprefix("analysis:") in _analysis_names(), source
    else:
        assert source in ("history", "final"), source


def test_listing_the_figures_imports_no_matplotlib():
    code = (
        "import sys; from simbias.report.figures import FIGURES; FIGURES.names(); "
        "assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _run(seed: int) -> dict:
    return {"experiment": "e1", "dataset": "lms5", "model": "mlp", "regime": "sgd", "seed": seed}


def _assert_drawn(tmp_path):
    for name in ("fig.png", "fig.pdf"):
        assert (tmp_path / name).stat().st_size > 1000


def test_write_figure_draws_an_analysis_figure(tmp_path):
    group = tmp_path / "sb_metrics.json"
    values = {
        f"seed{s}": {
            "test_accuracy": 0.9 + s / 100,
            "s_rand_accuracy": 0.5,
            "sc_rand_accuracy": 0.9,
        }
        for s in range(3)
    }
    group.write_text(json.dumps(values))
    manifest = [{**_run(s), "path": str(group)} for s in range(3)]
    assert FIGURES.get("sb_accuracy").meta["source"] == "analysis:sb_metrics"
    write_figure("sb_accuracy", manifest, tmp_path / "fig.png", tmp_path / "fig.pdf")
    _assert_drawn(tmp_path)


def test_write_figure_draws_a_history_figure(tmp_path):
    manifest = []
    for seed in range(2):
        path = tmp_path / f"history{seed}.csv"
        history = pd.DataFrame(
            {"epoch": [0, 1, 2], "train_loss": [0.7, 0.3, 0.1], "test_accuracy": [0.5, 0.8, 0.9]}
        )
        history.to_csv(path, index=False)
        manifest.append({**_run(seed), "path": str(path)})
    assert FIGURES.get("training_curves").meta["source"] == "history"
    write_figure("training_curves", manifest, tmp_path / "fig.png", tmp_path / "fig.pdf")
    _assert_drawn(tmp_path)


def test_spectra_figure_reads_the_full_metric_key():
    """ "layer0_farms_alpha" cuts into split "layer0_farms" and metric "alpha": the figure
    must still put it on the FARMS panel, from the full key."""
    rows = []
    for layer in range(2):
        for measure, mean in (("alpha_hill", 2.0 + layer), ("farms_alpha", 4.0 + layer)):
            key = f"layer{layer}_{measure}"
            split, _, metric = key.rpartition("_")
            rows.append(
                {**_run(0), "split": split, "metric": metric, "key": key, "n": 3,
                 "mean": mean, "std": 0.1, "ci_low": mean - 0.1, "ci_high": mean + 0.1}
            )  # fmt: skip
    figure = FIGURES.get("weight_spectra").obj(pd.DataFrame(rows).drop(columns="seed"))
    plain, farms = figure.axes[:2]

    def means(ax):  # one error-bar series per layer, the regimes along x
        return [float(y) for c in ax.containers for y in c.lines[0].get_ydata()]

    assert means(plain) == [2.0, 3.0]
    assert means(farms) == [4.0, 5.0]


def test_an_unknown_figure_names_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="sb_accuracy"):
        write_figure("sb_acuracy", [], tmp_path / "fig.png", tmp_path / "fig.pdf")


def test_mapping_scale_order_puts_no_mapping_first_and_reads_decimal_points():
    from simbias.report.figures._common import mapping_scale_order

    names = ["sdf_gauss_50", "sdf_gauss_5", "sdf_none", "sdf_gauss_0p5"]
    assert sorted(names, key=mapping_scale_order) == [
        "sdf_none", "sdf_gauss_0p5", "sdf_gauss_5", "sdf_gauss_50",
    ]  # fmt: skip


def test_a_seed_that_stopped_on_its_goal_holds_its_last_values_in_the_curves():
    from simbias.report.figures.training_curves import held_after_stop

    runs = pd.DataFrame({"seed": [0, 0, 0, 0, 1, 1], "epoch": [1, 2, 3, 4, 1, 2],
                         "test_accuracy": [0.5, 0.5, 0.6, 0.9, 0.5, 1.0]})  # fmt: skip
    held = held_after_stop(runs).sort_values(["seed", "epoch"])
    assert held["epoch"].tolist() == [1, 2, 3, 4] * 2
    assert held["test_accuracy"].tolist() == [0.5, 0.5, 0.6, 0.9, 0.5, 1.0, 1.0, 1.0]
    assert held["seed"].tolist() == [0] * 4 + [1] * 4
