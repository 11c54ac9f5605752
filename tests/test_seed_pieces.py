"""SAM, adversarial and noise training of seeds trained at once equal each seed trained alone."""

from __future__ import annotations

import pytest
from test_vmap_seeds import SEEDS, assert_same_training, blobs, mlp, sequential

from simbias.train.regime import Regime
from simbias.train.spec import TrainSpec
from simbias.train.vmap_seeds import fit_seeds

SAM = {"rho": 0.05}
PGD = {"kind": "pgd", "norm": "linf", "eps": 0.1, "step_size": 0.04, "steps": 3}


@pytest.mark.parametrize(
    "sections",
    [
        {"sam": SAM},
        {"sam": {**SAM, "adaptive": True}},
        {"adversarial": PGD},
        {"adversarial": {**PGD, "norm": "l2", "eps": 0.5, "step_size": 0.2}},
        {"adversarial": {"kind": "fgsm", "eps": 0.1, "step_size": 0.125}},
        {"adversarial": {**PGD, "random_start": False}, "sam": SAM},
        {"noise": {"std": 0.3}},
    ],
    ids=["sam", "asam", "pgd-linf", "pgd-l2", "fgsm", "adv+sam", "noise"],
)
def test_batched_pieces_equal_each_seed_trained_alone(tmp_path, sections):
    regime = Regime.from_dict({"name": "r", **sections}, input_range=(-4.0, 4.0))
    spec = TrainSpec(epochs=3, lr=0.1, batch_size=32, momentum=0.9, weight_decay=5e-4)
    data, test = blobs(), blobs(128, seed=1)
    batched = fit_seeds(
        mlp, SEEDS, data, spec, {"test": test}, update=regime.update, transform=regime.transform
    )
    pieces = {"update": regime.update, "transform": regime.transform}
    reference = sequential(mlp, spec, data, {"test": test}, tmp_path, **pieces)
    assert_same_training(batched, reference)


def test_a_piece_with_no_batched_form_is_refused():
    class Other:
        pass

    with pytest.raises(ValueError, match="no seeds-at-once form of the update Other"):
        fit_seeds(mlp, SEEDS, blobs(), TrainSpec(epochs=1), update=Other())
