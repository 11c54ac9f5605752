"""Every dataset kind's parameters are documented by, and checked against, one schema."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from simbias.data.base import GENERATORS, get_generator

ENTRIES = GENERATORS.entries()


def test_every_module_registers_its_kind():
    assert [entry.name for entry in ENTRIES] == GENERATORS.modules()
    assert {"slabs", "dominoes", "patches", "cifar10", "opposing_signals"} <= set(
        GENERATORS.names()
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_every_field_is_described_and_has_a_default_or_is_required(entry):
    assert entry.caption and entry.params is not None
    schema = entry.params.schema()
    assert schema["additionalProperties"] is False
    defaults = {f.name: f.default for f in dataclasses.fields(entry.params)}
    for name, field in schema["properties"].items():
        assert field.get("description"), name
        # A field defaulting to None is optional: its absence means what it says ("all").
        absent = "default" in field or name in schema.get("required", []) or defaults[name] is None
        assert absent, name


def _minimal(entry) -> dict:
    """Values for the required fields of a kind: enough to pass the schema."""
    hints = typing.get_type_hints(entry.params)
    example = {int: 10, str: "data/downloads"}
    return {name: example[hints[name]] for name in entry.params.schema().get("required", [])}


def _integer_field(entry) -> str:
    schema = entry.params.schema()
    return next(
        name for name, field in schema["properties"].items() if field.get("type") == "integer"
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.name)
def test_a_bad_value_is_refused_naming_its_key(entry):
    kind, minimal = entry.name, _minimal(entry)
    entry.params.from_dict(minimal)  # the minimal values themselves pass
    name = _integer_field(entry)
    with pytest.raises(ValueError, match=f"dataset kind {kind} params/{name}: .*'integer'"):
        get_generator(kind, {**minimal, name: "ten"})
    with pytest.raises(ValueError, match=f"dataset kind {kind} params.*'no_such_key'"):
        get_generator(kind, {**minimal, "no_such_key": 1})


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset kind 'nope'.*slabs"):
        get_generator("nope", {})


def test_numbers_take_their_fields_type():
    """A config may write 0 for 0.0 (and JSON schema counts 3.0 as an integer): the
    generator computes with, and the card records, the field's type."""
    generator = get_generator("dominoes", {"n_train": 4, "n_test": 4.0, "block": 8, "noise": 0})
    card = generator.card()
    assert card["noise"] == 0 and isinstance(card["noise"], float)
    assert card["n_test"] == 4 and isinstance(card["n_test"], int)
    assert card["block"] == 8 and isinstance(card["block"], int)
