"""The generated files are current, and every catalogue's entries are complete."""

from __future__ import annotations

import pytest

from simbias import index
from simbias.plan.catalogue import load_catalogue


def test_the_committed_schema_and_catalogue_are_generated_from_the_components():
    assert index.stale() == [], "run `make catalogue` and commit the result"


@pytest.mark.parametrize("kind", sorted(index.catalogues()))
def test_every_component_has_a_caption_and_described_parameters(kind):
    for entry in index.catalogues()[kind].entries():
        assert entry.caption, f"{kind} {entry.name} has no caption"
        if entry.params is not None:
            for name, field in entry.params.schema()["properties"].items():
                assert field.get("description"), f"{kind} {entry.name}: {name} undescribed"


def test_the_plan_reads_the_same_names_as_the_catalogues():
    written = load_catalogue()
    for kind, catalogue in index.catalogues().items():
        assert sorted(written[kind]) == sorted(e.name for e in catalogue.entries())
