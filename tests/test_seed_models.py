"""Every model kind the plan trains seeds-at-once, under every piece: each seed of the
batch equals the seed trained alone with ``fit`` (float32, CPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_vmap_seeds import SEEDS, assert_same_training, sequential

from simbias.models import build_model
from simbias.train.engine import TensorData, fit
from simbias.train.regime import Regime
from simbias.train.run import seed_everything
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds

SAM = {"sam": {"rho": 0.05}}
PGD = {"adversarial": {"kind": "pgd", "norm": "linf", "eps": 0.1, "step_size": 0.04, "steps": 2}}


def shaped_blobs(shape: tuple[int, ...], n: int, seed: int) -> TensorData:
    """Two gaussian classes whose means differ in every input coordinate."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, *shape, generator=generator)
    x += 0.5 * (2 * y - 1).view(-1, *([1] * len(shape)))
    return TensorData(x=x.float(), y=y.long())


MODELS = {
    # kind, params, input shape
    "mlp": ("mlp", {"width": 16, "depth": 2}, (10,)),
    "cnn-bn": ("cnn", {"channels": [4, 8]}, (1, 8, 8)),
    "cnn": ("cnn", {"channels": [4], "batch_norm": False}, (2, 6, 6)),
    "two-layer-cnn": ("two_layer_cnn", {"filters": 3, "init_std": 0.1}, (3, 10)),
}


@pytest.mark.parametrize(
    "pieces", [{}, SAM, PGD, {**SAM, **PGD}], ids=["sgd", "sam", "pgd", "pgd+sam"]
)
@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_batched_seed_equals_its_run_alone(tmp_path, model, pieces):
    kind, params, shape = MODELS[model]

    def build(seed: int) -> torch.nn.Module:
        return build_model(kind, params, shape, 2)

    regime = Regime.from_dict({"name": "r", **pieces}, input_range=(-4.0, 4.0))
    spec = TrainSpec(epochs=2, lr=0.05, batch_size=32, momentum=0.9, weight_decay=5e-4)
    data, test = shaped_blobs(shape, 128, 0), shaped_blobs(shape, 64, 1)
    batched = fit_seeds(
        build, SEEDS, data, spec, {"test": test}, update=regime.update, transform=regime.transform
    )
    pieces = {"update": regime.update, "transform": regime.transform}
    reference = sequential(build, spec, data, {"test": test}, tmp_path, **pieces)
    assert_same_training(batched, reference)


def test_recorders_see_each_seed_as_fit_shows_it(tmp_path, monkeypatch):
    """Dynamics (per-example losses, sharpness) and epoch probes of seeds trained at once
    equal those of each seed trained alone, also after a kill and a resume."""
    from simbias.train import vmap_seeds
    from simbias.train.recorders.dynamics import DynamicsRecorder, DynamicsSettings
    from simbias.train.recorders.feature_alignment import alignment_probe

    kind, params, shape = MODELS["two-layer-cnn"]
    data = shaped_blobs(shape, 96, 0)
    settings = DynamicsSettings(every=2, track=20, sharpness_every=4, sharpness_iters=10)
    probe = alignment_probe(torch.ones(10) / 10**0.5, torch.eye(10)[0])
    spec = TrainSpec(epochs=3, lr=0.05, batch_size=32, momentum=0.9)

    def build(seed: int) -> torch.nn.Module:
        return build_model(kind, params, shape, 2)

    def recorders():
        return [DynamicsRecorder(settings, data.x, data.y, s) for s in SEEDS]

    alone = []
    for s, recorder in zip(SEEDS, recorders(), strict=True):
        seed_everything(s)
        net = build(s)
        result = fit(
            net, data, spec, s, tmp_path / "alone" / str(s), str(s), step_hook=recorder,
            epoch_probes=[probe],
        )  # fmt: skip
        alone.append((net.state_dict(), result.history, recorder.arrays()))

    class Killed(Exception):
        pass

    save = vmap_seeds.save_seed_state

    def killed_after_one_epoch(path, state):
        if state["epoch"] > 1:
            raise Killed
        save(path, state)

    dirs = [tmp_path / "batched" / str(s) for s in SEEDS]
    monkeypatch.setattr(vmap_seeds, "save_seed_state", killed_after_one_epoch)
    with pytest.raises(Killed):
        fit_seeds(
            build, SEEDS, data, spec, work_dirs=dirs, step_hooks=recorders(), epoch_probes=[probe]
        )
    monkeypatch.setattr(vmap_seeds, "save_seed_state", save)
    ours = recorders()
    batched = fit_seeds(
        build, SEEDS, data, spec, work_dirs=dirs, step_hooks=ours, epoch_probes=[probe]
    )
    assert [r.resumed_from_epoch for r in batched] == [1, 1, 1]
    assert_same_training(batched, [(state, history) for state, history, _ in alone])
    for recorder, (_, _, arrays) in zip(ours, alone, strict=True):
        for key, expected in arrays.items():
            np.testing.assert_allclose(recorder.arrays()[key], expected, rtol=1e-4, atol=1e-6)
    for result, (_, history, _) in zip(batched, alone, strict=True):
        for row, expected in zip(result.history, history, strict=True):
            assert row["align_fast"] == pytest.approx(expected["align_fast"], rel=1e-5)
