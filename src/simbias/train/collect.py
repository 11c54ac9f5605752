"""Copy one seed's artefacts out of a vmapped seed batch into its run directory.

Standard library only, so the per-seed job that calls it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

#: Written in this order: final.json last, since its presence marks a run complete.
ARTEFACTS = ("model.pt", "history.csv", "final.json")
MANIFEST = "batch.json"


def collect_seed(run_spec: dict[str, Any], batch_dir: str | Path, out_dir: str | Path) -> None:
    """Move one seed's staged artefacts into its run directory, after checking that the
    batch trained exactly this run spec."""
    batch_dir, out_dir = Path(batch_dir), Path(out_dir)
    staged = batch_dir / f"seed{run_spec['seed']}"
    trained = json.loads((batch_dir / MANIFEST).read_text())["runs"]
    if run_spec not in trained:
        raise ValueError(f"{batch_dir} was trained for other settings than run {run_spec['name']}")
    out_dir.mkdir(parents=True, exist_ok=True)
    # final.json last: its presence marks the run complete.
    for name in ARTEFACTS:
        tmp = out_dir / f".{name}.collect.tmp"
        shutil.copyfile(staged / name, tmp)
        os.replace(tmp, out_dir / name)
