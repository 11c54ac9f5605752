"""All seeds of one (dataset, model, regime) in one process, then one run directory each.

``train_seed_batch`` trains a group of runs that differ in their seed (see
``simbias.config.seed_batches``): at once with torch.func when the group is ``vmap``,
else one after the other. It stages each seed's artefacts in ``batch_dir/seed{s}/``;
``simbias.train.collect.collect_seed`` then copies them into the run directory, so the
run layout (and every analysis downstream) does not depend on how the seeds were trained.
Checkpoints of sequential runs live in the run directories (``work_root/{run}``), outside
the batch directory, so a killed batch resumes each run where it stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simbias.data.store import read_card
from simbias.io import write_json_atomic
from simbias.models import build_model
from simbias.plan.layout import seed_key
from simbias.train.collect import MANIFEST
from simbias.train.regime import Regime
from simbias.train.run import load_tensors, train_run, write_run_artefacts
from simbias.train.vmap_seeds import fit_seeds


def train_seed_batch(
    group: dict[str, Any],
    data_dir: str | Path,
    batch_dir: str | Path,
    work_root: str | Path,
    device: str = "cpu",
) -> None:
    """Train ``group["runs"]`` (vmapped if ``group["vmap"]``) and stage their artefacts."""
    batch_dir = Path(batch_dir)
    runs = group["runs"]
    how = "seeds at once" if group.get("vmap") else f"one seed after another ({group.get('why')})"
    print(f"training {len(runs)} seed(s) {how}", flush=True)
    if group.get("vmap"):
        _train_vmapped(runs, data_dir, batch_dir, device)
    else:
        for spec in runs:
            train_run(
                spec,
                data_dir,
                batch_dir / seed_key(spec["seed"]),
                device,
                work_dir=Path(work_root) / spec["name"],
            )
    write_json_atomic(batch_dir / MANIFEST, {"runs": runs})


def _train_vmapped(
    runs: list[dict[str, Any]], data_dir: str | Path, batch_dir: Path, device: str
) -> None:
    first = runs[0]
    for spec in runs:
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
        build,
        [s["seed"] for s in runs],
        train,
        regime.train,
        eval_sets={"test": test},
        update=regime.update,
        transform=regime.transform,
    )
    for spec, result in zip(runs, results, strict=True):
        model = build(result.seed).to(device)
        model.load_state_dict(result.state_dict)
        write_run_artefacts(
            batch_dir / seed_key(result.seed),
            spec,
            regime,
            card,
            model,
            pd.DataFrame(result.history),
            test,
            {"members": 1, "resumed_from_epoch": [0], "vmapped_seeds": len(runs)},
        )
