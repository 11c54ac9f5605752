"""sharpness: how flat a run ends, the top Hessian eigenvalue of its training loss at its
final weights (the loss it trained on, on a fixed subset of its training split)."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.analysis.catalogue import ANALYSES, RunInputs
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class SharpnessSettings(Params):
    """Settings of the sharpness analysis (the final sharpness of a run)."""

    # Cohen et al. 2021 use the first 5,000 (gd.py --abridged_size); 512 keeps a small
    # CNN's measurement to seconds on one CPU thread, and the Hessian is of one batch.
    examples: int = param(
        512,
        description="Training examples in the loss, one seeded subset for every run of a"
        " dataset; 0 = the whole training split.",
        minimum=0,
    )
    # The dynamics recorder's sharpness_iters default: the same estimate as during training.
    iters: int = param(20, description="Power-iteration steps at most.", minimum=1)
    # top_hessian_eigenvalue's default, the recorder's tolerance.
    tol: float = param(
        1e-3,
        description="Stop once the eigenvalue estimate changes by less than this, relative.",
        exclusive_minimum=0,
    )
    # The recorder's convention (the loss that full-batch training descends); False gives
    # the loss of the network as it is evaluated.
    batch_statistics: bool = param(
        True,
        description="BatchNorm normalises with the subset's statistics (the training-mode"
        " loss); false: with its running statistics (the eval-mode loss).",
    )


@ANALYSES.register(
    "sharpness",
    params=SharpnessSettings,
    caption="""Final sharpness: the top eigenvalue of the Hessian of the run's training loss
    (the loss it trained on) at its final weights, by power iteration on Hessian-vector
    products from a start drawn from the run's seed, on a fixed seeded subset of clean
    training examples (train_sharpness), with that loss (train_loss); no learning-rate
    threshold.""",
    title="Final sharpness and training loss",
    # One network's parameters (not an ensemble's) and its stored training examples.
    needs=("model", "weights", "train_split"),
)
def sharpness(run: RunInputs, settings: SharpnessSettings) -> dict[str, float]:
    from simbias.analysis.sharpness import final_sharpness

    return final_sharpness(run.run_dir, run.data_dir, run.device, run.seed, **settings.to_dict())
