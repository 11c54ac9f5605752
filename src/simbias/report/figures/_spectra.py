"""The spectrum rows of a metrics summary: which layer (or aspect-ratio sweep point) and
which alpha measure each full metric key names."""

from __future__ import annotations

import re

import pandas as pd

SPECTRUM_KEY = re.compile(
    r"^(layer\d+|(?:gauss|pareto|trained)_q\d+)_(alpha|alpha_hill|farms_alpha|single_block_alpha)$"
)


def with_keys(summary: pd.DataFrame) -> pd.DataFrame:
    """The spectrum rows of a summary, with the layer (or sweep point) and the measure."""
    parts = summary["key"].str.extract(SPECTRUM_KEY)
    return summary.assign(owner=parts[0], measure=parts[1]).dropna(subset=["owner"])
