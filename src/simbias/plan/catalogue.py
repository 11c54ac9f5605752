"""What the plan needs to know of the components, without importing them.

``catalogue.json`` beside this module is generated from the components' own
registrations by ``python -m simbias.index`` (``make catalogue``), with the config
schema; tests/test_catalogue.py fails when either is stale. Importing the components
themselves would cost Snakemake seconds (torch, matplotlib) every time it reads the DAG.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


@functools.cache
def load_catalogue() -> dict[str, dict[str, dict[str, Any]]]:
    """``{kind: {name: {"caption": ..., **meta}}}`` for every catalogue kind."""
    return json.loads(CATALOGUE_PATH.read_text())


def entry(kind: str, name: str) -> dict[str, Any]:
    entries = load_catalogue()[kind]
    if name not in entries:
        raise KeyError(f"unknown {kind} {name!r}; known: {', '.join(sorted(entries))}")
    return entries[name]
