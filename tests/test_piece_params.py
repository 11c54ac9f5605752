"""Models, regime pieces, recorders and training settings carry their parameters once:
described, bounded, defaulted in one dataclass each, checked by that dataclass."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from simbias.models import build_model
from simbias.models.registry import MODELS
from simbias.train.adversarial import AdversarialParams, Attack
from simbias.train.pieces import PIECES
from simbias.train.pieces.sam import SamParams
from simbias.train.recorders import RECORDERS, build_probes
from simbias.train.regime import Regime
from simbias.train.sam import SAM
from simbias.train.spec import TrainSpec

ENTRIES = [
    pytest.param(entry, id=f"{catalogue.package}.{entry.name}")
    for catalogue in (MODELS, PIECES, RECORDERS)
    for entry in catalogue.entries()
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_parameter_is_described(entry):
    assert entry.caption
    if entry.params is None:
        return
    properties = entry.params.schema()["properties"]
    names = [f.name for f in dataclasses.fields(entry.params) if f.init]
    assert names and sorted(properties) == sorted(names)
    for name in names:
        assert properties[name].get("description", "").strip(), f"{entry.name}.{name}"


def test_the_catalogues_hold_the_components():
    assert MODELS.names() == [
        "bottleneck_mlp",
        "cnn",
        "coordinate_mlp",
        "mlp",
        "resnet18",
        "spartan",
        "transformer",
        "transformer_lm",
        "two_layer_cnn",
    ]
    assert PIECES.names() == [
        "adversarial",
        "ensemble",
        "noise",
        "policy_gradient",
        "sam",
        "useful",
    ]
    assert RECORDERS.names() == [
        "dynamics",
        "feature_alignment",
        "fit_spectrum",
        "training_compute",
    ]
    regime_fields = {f.name for f in dataclasses.fields(Regime)}
    assert {e.meta["slot"] for e in PIECES.entries()} <= regime_fields
    assert {e.meta["hook"] for e in RECORDERS.entries()} == {"step", "epoch"}


@pytest.mark.parametrize("rho", [0, 0.0, -0.05])
def test_sam_refuses_a_radius_that_is_not_positive(rho):
    with pytest.raises(ValueError, match="rho"):
        SamParams.from_dict({"rho": rho}, "regime x/sam")
    with pytest.raises(ValueError, match="regime x/sam/rho"):
        Regime.from_dict({"name": "x", "sam": {"rho": rho}})


def test_sam_refuses_an_unknown_key_by_name():
    with pytest.raises(ValueError, match="radius"):
        SamParams.from_dict({"radius": 0.1})


def test_the_default_radius_is_written_once():
    assert SamParams().rho == 0.05
    assert Regime.from_dict({"name": "x", "sam": {}}).update.rho == 0.05
    # The optimizer takes its radius from the piece: it has no default of its own.
    assert inspect.signature(SAM).parameters["rho"].default is inspect.Parameter.empty


def test_attack_settings_have_one_set_of_defaults():
    section = {"kind": "pgd", "eps": 0.1}
    settings = AdversarialParams.from_dict(section)
    attack = Attack.from_dict({**section, "clip": [0, 1]})
    piece = Regime.from_dict({"name": "x", "adversarial": section}, input_range=(0, 1))
    assert piece.transform.attack == attack
    assert (attack.norm, attack.steps, attack.random_start) == ("linf", settings.steps, True)
    assert attack.step_size == pytest.approx(2.5 * 0.1 / settings.steps)
    with pytest.raises(ValueError, match="eps"):
        Regime.from_dict({"name": "x", "adversarial": {"kind": "pgd"}})


def test_training_settings_default_in_the_dataclass_not_the_schema():
    """A config validator that fills defaults must leave a train section holding only the
    keys the config names, so that an experiment's overrides replace only those."""
    properties = TrainSpec.schema()["properties"]
    assert all("default" not in p for p in properties.values())
    assert "(default 20)" in properties["epochs"]["description"]
    assert TrainSpec.from_dict({}) == TrainSpec()
    settings = TrainSpec.from_dict({"epochs": 3, "betas": [0.8, 0.9]}).to_dict()
    assert list(settings) == [f.name for f in dataclasses.fields(TrainSpec)]
    assert settings["epochs"] == 3 and settings["betas"] == [0.8, 0.9]


def test_model_parameters_are_checked_by_name():
    with pytest.raises(ValueError, match="model kind mlp params: .*'widht'"):
        build_model("mlp", {"widht": 8}, (5,), 2)
    with pytest.raises(ValueError, match="model kind cnn params/channels"):
        build_model("cnn", {"channels": []}, (1, 8, 8), 2)
    with pytest.raises(ValueError, match="model kind resnet18 params"):
        build_model("resnet18", {"width": 8}, (3, 8, 8), 2)


def test_probes_are_the_per_epoch_recorders():
    with pytest.raises(ValueError, match="not a per-epoch probe"):
        build_probes(["dynamics"], {})
    with pytest.raises(ValueError, match="unknown recorder 'alignment'"):
        build_probes(["alignment"], {})
