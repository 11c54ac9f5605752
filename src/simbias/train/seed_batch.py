"""Many seeds of one small run in one process (torch.func), then one run directory each.

``train_seed_batch`` trains every seed of a (dataset, model, regime) together with
``fit_seeds`` and stages each seed's artefacts in ``batch_dir/seed{s}/``;
``simbias.train.collect.collect_seed`` then copies one seed's artefacts into its run
directory, so the run layout (and every analysis downstream) is the same as for runs
trained one at a time. A killed batch
restarts from scratch: it is seconds long.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simbias.config import vmappable
from simbias.data.store import read_card
from simbias.io import write_json_atomic
from simbias.models import build_model
from simbias.train.collect import MANIFEST
from simbias.train.regime import Regime
from simbias.train.run import load_tensors, write_run_artefacts
from simbias.train.vmap_seeds import fit_seeds


def train_seed_batch(
    run_specs: list[dict[str, Any]],
    data_dir: str | Path,
    batch_dir: str | Path,
    device: str = "cpu",
) -> None:
    """Train runs that differ only in their seed, together; stage each seed's artefacts."""
    batch_dir = Path(batch_dir)
    first = run_specs[0]
    for spec in run_specs:
        if not vmappable(spec):
            raise ValueError(f"run {spec['name']} cannot be trained in a vmapped seed batch")
        if {**spec, "seed": 0, "name": ""} != {**first, "seed": 0, "name": ""}:
            raise ValueError(f"run {spec['name']} differs from {first['name']} beyond its seed")
    card = read_card(data_dir)
    regime = Regime.from_dict(first["regime"], input_range=card.get("input_range"))
    train = load_tensors(data_dir, "train", device)
    test = load_tensors(data_dir, "test", device)
    model_cfg = dict(first["model"])
    kind = model_cfg.pop("kind")

    def build(seed: int):
        return build_model(kind, model_cfg, card["input_shape"], card["n_classes"])

    results = fit_seeds(
        build, [s["seed"] for s in run_specs], train, regime.train, eval_sets={"test": test}
    )
    for spec, result in zip(run_specs, results, strict=True):
        model = build(result.seed).to(device)
        model.load_state_dict(result.state_dict)
        write_run_artefacts(
            batch_dir / f"seed{result.seed}",
            spec,
            regime,
            card,
            model,
            pd.DataFrame(result.history),
            test,
            {"members": 1, "resumed_from_epoch": [0], "vmapped_seeds": len(run_specs)},
        )
    write_json_atomic(batch_dir / MANIFEST, {"runs": run_specs})
