"""The probe images of a cue-conflict dataset: its evaluation splits that exist,
concatenated, each image carrying a *concept* (its split's, ``PROBE_SPLITS``) and an
*input type*, an id per (concept, class) pair, where the class is the image's label or,
for ``conflict`` images, its (shape, texture) pair.

:mod:`simbias.analysis.neuron_simplicity` reads the concepts only (which of shape,
texture, colour probes a channel prefers); its input diversity counts classes of the test
split alone, one clean distribution as in the paper, since counts over this mixed pool
depend on how the pool was assembled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from simbias.data.store import load_split, read_card

#: Probe splits and the concept of their images.
PROBE_SPLITS = {
    "test": "object",
    "conflict": "conflict",
    "shape_only": "shape",
    "texture_only": "texture",
    "colour_only": "colour",
}


@dataclass
class ProbePool:
    """Probe images with their concept and input type (an id per (concept, class) pair)."""

    x: torch.Tensor
    concept: np.ndarray
    input_type: np.ndarray


def load_probe_pool(data_dir: str | Path) -> ProbePool:
    """The dataset's ``PROBE_SPLITS`` that exist, concatenated."""
    present = {name.removesuffix(".npz") for name in read_card(data_dir)["files"]}
    xs, concepts, keys = [], [], []
    for split, concept in PROBE_SPLITS.items():
        if split not in present:
            continue
        data = load_split(data_dir, split)
        # A conflict image's class is its (shape, texture) pair; other images have one class.
        second = data.attributes.get("texture_label") if concept == "conflict" else None
        second = np.full(len(data.y), -1) if second is None else second
        xs.append(torch.from_numpy(data.x))
        concepts += [concept] * len(data.y)
        keys += [(concept, int(a), int(b)) for a, b in zip(data.y, second, strict=True)]
    if not xs:
        raise ValueError(f"dataset {data_dir} has none of the probe splits {list(PROBE_SPLITS)}")
    ids = {key: i for i, key in enumerate(sorted(set(keys)))}
    return ProbePool(
        x=torch.cat(xs),
        concept=np.array(concepts),
        input_type=np.array([ids[key] for key in keys], dtype=np.int64),
    )
