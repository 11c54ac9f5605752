"""Copy one seed's artefacts out of its seed batch into its run directory.

Standard library only, so the per-seed job that calls it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from simbias.plan.layout import seed_key

#: Written last, since its presence marks a run complete.
FINAL = "final.json"
MANIFEST = "batch.json"


def collect_seed(run_spec: dict[str, Any], batch_dir: str | Path, out_dir: str | Path) -> None:
    """Put one seed's staged artefacts into its run directory (hard links, else copies),
    after checking that the batch trained exactly this run spec."""
    batch_dir, out_dir = Path(batch_dir), Path(out_dir)
    staged = batch_dir / seed_key(run_spec["seed"])
    trained = json.loads((batch_dir / MANIFEST).read_text())["runs"]
    if run_spec not in trained:
        raise ValueError(f"{batch_dir} was trained for other settings than run {run_spec['name']}")
    out_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(path.name for path in staged.iterdir() if path.is_file())
    for name in [n for n in names if n != FINAL] + [FINAL]:
        tmp = out_dir / f".{name}.collect.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.link(staged / name, tmp)  # a hard link: no second copy of the bytes
        except OSError:
            shutil.copyfile(staged / name, tmp)
        os.replace(tmp, out_dir / name)
