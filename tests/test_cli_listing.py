"""`simbias list`: every item of the config once, one short aligned line each, no torch."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from simbias.cli.listing import (
    GAP,
    INDENT,
    KINDS,
    MAX_NAME_COLUMN,
    entries,
    first_clause,
    first_sentence,
    list_catalogue,
    list_kind,
    short_paper,
)
from simbias.plan import load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def tiny():
    return load_config(REPO / "configs" / "tiny.yaml")


def _names(text: str) -> list[str]:
    """The first word of each item line (item lines are indented, headers are not)."""
    return [line.split()[0] for line in text.splitlines() if line.startswith(INDENT)]


def _line_of(text: str, name: str) -> str:
    (line,) = [line for line in text.splitlines() if line.split()[:1] == [name]]
    return line


def test_importing_the_listing_does_not_import_torch():
    code = "import simbias.cli.listing, sys; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "False"


def test_every_experiment_appears_exactly_once(config):
    names = _names(list_kind(config, "experiments"))
    assert sorted(names) == sorted(config["experiments"])
    assert len(names) == len(set(names))


def test_experiment_line_names_paper_data_model_and_seeds(config):
    spec = config["experiments"]["pitfalls_lms5"]
    line = _line_of(list_kind(config, "experiments"), "pitfalls_lms5")
    assert "Shah et al. 2020" in line
    assert f"{spec['dataset']} / {spec['model']}" in line
    assert f"{len(spec['seeds'])} seeds" in line


def test_every_declared_claim_appears_with_its_experiments(config):
    text = list_kind(config, "claims")
    declared = {c for spec in config["experiments"].values() for c in spec.get("claims", [])}
    assert declared and sorted(_names(text)) == sorted(declared)
    line = _line_of(text, "sharpness_reaches_two_over_lr")
    assert "edge_of_stability" in line and "Cohen et al. 2021" in line


def test_each_kind_lists_every_config_entry(config):
    for kind in ("datasets", "models", "regimes"):
        assert sorted(_names(list_kind(config, kind))) == sorted(config[kind]), kind


def test_disabled_experiments_are_listed_and_marked(tiny):
    text = list_kind(tiny, "experiments")
    for name, spec in tiny["experiments"].items():
        assert ("(disabled)" in _line_of(text, name)) == (not spec["enabled"]), name
    assert not tiny["experiments"]["shape_bias_sweep_x05"]["enabled"]  # the case exercised


def test_a_claim_whose_experiments_are_all_disabled_is_marked(config):
    config = copy.deepcopy(config)
    # Switch off every experiment of the two-layer CNN (sam_patches and its control).
    for spec in config["experiments"].values():
        if spec["model"] == "two_layer_cnn":
            spec["enabled"] = False
    text = list_kind(config, "claims")
    assert "(disabled)" in _line_of(text, "sam_learns_slow_feature_earlier")
    assert "(disabled)" not in _line_of(text, "extreme_simplicity_bias")
    assert "(unused)" in _line_of(list_kind(config, "models"), "two_layer_cnn")
    assert "(unused)" not in _line_of(list_kind(config, "models"), "mlp")


@pytest.mark.parametrize("call", [list_kind, entries])
def test_unknown_kind_names_the_known_kinds(config, call):
    known = ", ".join(KINDS)
    with pytest.raises(ValueError, match=f"unknown kind 'figures'; known kinds: {known}"):
        call(config, "figures")


def test_unknown_kind_is_refused_before_listing_any(config):
    with pytest.raises(ValueError, match="'claim'"):
        list_catalogue(config, ["experiments", "claim"])


def test_lines_are_short_and_aligned(config):
    text = list_catalogue(config)
    assert all(len(line) < 120 for line in text.splitlines())
    for kind in KINDS:
        rows = entries(config, kind)
        width = min(max(len(name) for name, _ in rows), MAX_NAME_COLUMN)
        lines = list_kind(config, kind, header=False).splitlines()
        for line, (name, _) in zip(lines, rows, strict=True):
            if len(name) <= MAX_NAME_COLUMN:
                # Every description starts in the same column, after the padded name.
                assert line[: len(INDENT) + width + len(GAP)].strip() == name, line
                assert line[len(INDENT) + width + len(GAP)] != " ", line


def test_listing_has_every_kind_with_its_count(config):
    headers = [line for line in list_catalogue(config).splitlines() if line[:1].isalpha()]
    assert headers[0] == f"datasets ({len(config['datasets'])})"
    assert [h.split()[0] for h in headers] == list(KINDS)


def test_first_sentence_keeps_et_al_and_drops_module_notes():
    caption = "LMS data (Shah et al. 2020, sec. 3) (simbias.data.slabs). Rotated. More."
    assert first_sentence(caption) == "LMS data (Shah et al. 2020, sec. 3)"
    assert first_clause("SAM is flatter: lower sharpness. Then.") == "SAM is flatter"


def test_short_paper_keeps_authors_year_and_note():
    assert short_paper("Shah et al. 2020, The Pitfalls of Simplicity Bias (sec. 6)") == (
        "Shah et al. 2020 (sec. 6)"
    )
    assert short_paper("Chen, Agarwal, Nguyen 2020, The shape and simplicity biases") == (
        "Chen, Agarwal, Nguyen 2020"
    )
    assert short_paper("no year here") == "no year here"
