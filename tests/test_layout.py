"""The code base keeps its shape: layers import downwards only, and lint stays clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "simbias"
# plan -> data -> train -> analysis -> report; models sit beside data (train needs them).
LAYER = {
    "io": 0,
    "provenance": 0,
    "components": 0,
    "params": 0,
    "plan": 0,
    "data": 1,
    "models": 1,
    "train": 2,
    "analysis": 3,
    "report": 4,
    "bench": 5,  # measures the layers below, imported by nothing
    "index": 5,  # the catalogues of every layer, for the generated schema
    "cli": 6,  # the console command: lists the catalogue, drives Snakemake, summarises
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("simbias.") and n.count(".") >= 1}


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_a_lower_layer_never_imports_a_higher_one(path):
    relative = path.relative_to(SRC)
    own = relative.parts[0].removesuffix(".py")
    if own == "__init__":
        return
    for imported in _imports(path):
        assert LAYER[imported] <= LAYER[own], f"{relative} ({own}) imports simbias.{imported}"


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else shutil.which(name) or name


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["snakefmt", "--check", "Snakefile", "workflow/rules"],
        ["snakemake", "--lint", "--cores", "1"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_lint_is_clean(repo, command):
    result = subprocess.run(
        [_tool(command[0]), *command[1:]], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
