"""The dynamics figure draws the opposing_signals analysis's groups and windows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

from simbias.report.figures.dynamics import dynamics_figure
from simbias.train.recorders.dynamics import DYNAMICS_NAME


def test_figure_shows_the_rising_and_falling_groups_and_the_select_window(tmp_path):
    rng = np.random.default_rng(0)
    t, n = 40, 120  # top 5%: 6 examples, 3 per group
    losses = 1 + 0.01 * rng.standard_normal((t, n))
    swing = 0.3 * np.sin(np.arange(t) * 1.3)[:, None]
    losses[:, :3] += 0.5 + swing
    losses[:, 3:6] += 0.5 - swing
    labels = np.arange(n) % 2
    labels[:3], labels[3:6] = 0, 1
    sharpness = np.where(np.arange(t) % 5, np.nan, 3.0)
    rows = []
    for name, extra in (("with_labels", {"labels": labels}), ("without", {})):
        run = tmp_path / name
        run.mkdir()
        arrays = {"steps": np.arange(t), "losses": losses, "tracked_index": np.arange(n)}
        np.savez(run / DYNAMICS_NAME, **arrays, sharpness=sharpness, lr=np.full(t, 0.5), **extra)
        rows.append({"experiment": name, "dataset": "d", "model": "m", "regime": "gd",
                     "seed": 0, "path": str(run / "final.json"),
                     "final": {"train_settings": {"optimizer": "sgd"}}})  # fmt: skip
    fig = dynamics_figure(pd.DataFrame(rows))
    ax = fig.axes[0]
    labels_drawn = ax.get_legend_handles_labels()[1]
    assert "group A, rose most" in labels_drawn and "group B, fell most" in labels_drawn
    assert "select window" in labels_drawn
    # The groups' sizes and their score-window correlation, in the panel's title.
    assert "n = 3 + 3; score window r = -1.00" in ax.get_title()
