"""All seeds of one (dataset, model, regime) in one process, each into its run directory.

``train_seed_batch`` trains a group of runs that differ in their seed (see
``simbias.plan.runs``): at once with torch.func when the group is ``vmap``, else one after
the other, and writes each seed's artefacts into ``group_dir/seed{s}/``, the run directory
every analysis reads, whichever way the seeds were trained. Checkpoints live in work
directories (``work_root/{run}``, one per seed whether the seeds train at once or not),
outside the group directory, so a killed job resumes each run where it stopped; once every
seed of the group has its artefacts, their TensorBoard events move into the run directories
and the work directories are deleted. A seed that diverges fails the job with a message
naming it after the other seeds are done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simbias.data.store import read_card
from simbias.models import build_model
from simbias.models.ensemble import LogitEnsemble
from simbias.plan.layout import seed_key
from simbias.train.engine import TrainingDivergedError
from simbias.train.recorders import build_probes
from simbias.train.recorders.dynamics import DynamicsRecorder, DynamicsSettings
from simbias.train.regime import Regime
from simbias.train.run import (
    check_recordable,
    finish_work_dir,
    load_tensors,
    member_seed,
    run_progress,
    stop_facts,
    train_run,
    write_run_artefacts,
)
from simbias.train.vmap_seeds import fit_seeds


def train_seed_batch(
    group: dict[str, Any],
    data_dir: str | Path,
    group_dir: str | Path,
    work_root: str | Path,
    device: str = "cpu",
) -> None:
    """Train ``group["runs"]`` (vmapped if ``group["vmap"]``) into ``group_dir/seed{s}``."""
    group_dir = Path(group_dir)
    runs = group["runs"]
    how = "seeds at once" if group.get("vmap") else f"one seed after another ({group.get('why')})"
    print(f"training {len(runs)} seed(s) {how}", flush=True)
    if group.get("vmap"):
        _train_vmapped(runs, data_dir, group_dir, Path(work_root), device)
    else:
        for spec in runs:
            train_run(
                spec,
                data_dir,
                group_dir / seed_key(spec["seed"]),
                device,
                work_dir=Path(work_root) / spec["name"],
            )


def _train_vmapped(
    runs: list[dict[str, Any]], data_dir: str | Path, group_dir: Path, work_root: Path, device: str
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

    # An ensemble's members are seeds of their own (member_seed), trained as train_run
    # trains them, with checkpoints in work_root/{run}/member{k}: all of them at once.
    count = regime.ensemble.members if regime.ensemble else 1
    members = [
        (spec, k, member_seed(spec["seed"], k) if regime.ensemble else spec["seed"])
        for spec in runs
        for k in range(count)
    ]
    check_recordable(first, regime)
    recorders = None
    if first.get("dynamics"):
        settings = DynamicsSettings.from_dict(first["dynamics"], "dynamics")
        recorders = [
            DynamicsRecorder(settings, train.x, train.y, seed, regime.train.loss)
            for _, _, seed in members
        ]
    work_dirs = [
        work_root / spec["name"] / (f"member{k}" if regime.ensemble else "")
        for spec, k, _ in members
    ]
    results = fit_seeds(
        build,
        [seed for _, _, seed in members],
        train,
        regime.train,
        eval_sets={"test": test},
        update=regime.update,
        transform=regime.transform,
        work_dirs=work_dirs,
        fingerprints=[spec for spec, _, _ in members],
        step_hooks=recorders,
        epoch_probes=build_probes(first.get("probes", []), card),
        progress=[
            run_progress(
                spec,
                regime.train.epochs,
                work_dir,
                work_root / spec["name"],
                k if regime.ensemble else None,
                prints=False,
            )
            for (spec, k, _), work_dir in zip(members, work_dirs, strict=True)
        ],
    )
    for i, spec in enumerate(runs):
        own = results[i * count : (i + 1) * count]
        if any(result.error for result in own):
            continue
        networks = []
        for result in own:
            network = build(result.seed).to(device)
            network.load_state_dict(result.state_dict)
            networks.append(network)
        history = pd.concat(
            [pd.DataFrame(r.history).assign(member=k) for k, r in enumerate(own)],
            ignore_index=True,
        )
        if recorders is not None:
            recorders[i].save(group_dir / seed_key(spec["seed"]))
        write_run_artefacts(
            group_dir / seed_key(spec["seed"]),
            spec,
            regime,
            card,
            LogitEnsemble(networks) if regime.ensemble else networks[0],
            history,
            test,
            {
                "members": count,
                "resumed_from_epoch": [result.resumed_from_epoch for result in own],
                **stop_facts(own),
                "vmapped_seeds": len(results),
            },
        )
    errors = [result.error for result in results if result.error]
    if errors:
        # The others' checkpoints are kept (Snakemake deletes the failed job's group
        # directory): a rerun resumes each of them from its last epoch.
        raise TrainingDivergedError("; ".join(errors))
    for spec in runs:
        finish_work_dir(work_root / spec["name"], group_dir / seed_key(spec["seed"]))
