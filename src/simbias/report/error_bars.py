"""Error bars of the figures: the 95% t interval of a summary row around its mean."""

from __future__ import annotations

import numpy as np
import pandas as pd


def ci_error(rows: pd.DataFrame) -> np.ndarray:
    """(2, n) lengths below and above each mean (0 where a CI is undefined, e.g. one seed),
    as matplotlib's ``yerr`` takes them."""
    error = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
    return np.nan_to_num(error.astype(float), nan=0.0)
