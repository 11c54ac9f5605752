"""USEFUL as a regime piece (run level): train, cluster, upsample, retrain. Its settings
are the piece; simbias.train.run reads them and simbias.train.useful does the clustering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simbias.params import Params, param
from simbias.train.pieces import PIECES
from simbias.train.pieces._piece import Piece


@dataclass(frozen=True, kw_only=True)
class UsefulParams(Piece, Params):
    """USEFUL (Nguyen et al. 2024): after ``separating_epoch`` epochs, cluster each class's
    network outputs in two with k-means and upsample the slow-learnable (higher-loss) cluster
    ``upsample_factor`` times in total (2 = its examples appear twice), then retrain.
    ``selection: random`` is the paper's control: per class, a uniformly random subset of
    the slow cluster's size (drawn from the run's seed) is upsampled instead."""

    separating_epoch: int = param(
        description="Epoch at which the outputs are clustered.", minimum=1
    )
    upsample_factor: int = param(2, description="Copies of each slow-cluster example.", minimum=2)
    selection: Literal["slow_cluster", "random"] = param(
        "slow_cluster",
        description="Which examples are upsampled: the slow cluster (USEFUL), or per class a "
        "uniformly random subset of the same size (the random-upsampling control).",
    )


PIECES.register(
    "useful",
    params=UsefulParams,
    caption="USEFUL (Nguyen et al. 2024) upsampling of the slow-learnable cluster.",
    slot="useful",
    seeds_at_once="each seed's upsampled training set has its own size (its own slow"
    " cluster), hence its own number of steps",
)(UsefulParams)
