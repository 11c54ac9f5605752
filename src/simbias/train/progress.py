"""What a run shows while it trains: one line per epoch in its job's log, its live history
(``history.live.csv`` in the run's directory) appended every epoch, and its curves in
TensorBoard. Its ``history.csv`` appears when the run is done.

Jobs write to log files, where tqdm switches itself off; so each epoch prints one plain,
flushed line (``tail -f results/logs/train/<group>.log``). The history file is rewritten
from the checkpoint's rows when a killed run resumes (rows after the checkpoint were
lost with the process), then appended.

TensorBoard rather than dvclive (both measured here, 2 cores): dvclive's ``Live()`` costs
0.34 s to open (it looks for a DVC repository) and its ``next_step()`` re-reads every
metric file it wrote (7 ms a step after 1,000 steps, growing), while a ``SummaryWriter``
opens at once and adds a scalar in about 15 us; ``tensorboard --logdir results``
follows every run of the DAG live, overlaid and filterable by path. DVC keeps its own
plots (``results/plots``, ``dvc plots show``).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path

from simbias.io import write_atomic

TENSORBOARD_NAME = "tensorboard"
#: Short names of the history's columns in the log line, in the order shown.
SHOWN = {
    "train_loss": "loss",
    "train_accuracy": "train_acc",
    "test_accuracy": "test_acc",
    "test_loss": "test_loss",  # regression runs (in-context learning): held-out error
}


class RunProgress:
    """One run's (or ensemble member's) live history file and TensorBoard scalars.

    ``history_path``: the run's live history while it trains; ``tensorboard_dir``: its
    event files (None: no TensorBoard). ``prints``: whether ``log`` also prints the
    epoch's line (seeds trained at once print one line for the batch instead)."""

    def __init__(
        self,
        name: str,
        epochs: int,
        history_path: Path,
        tensorboard_dir: Path | None = None,
        prints: bool = True,
    ) -> None:
        self.name = name
        self.epochs = epochs
        self.history_path = Path(history_path)
        self.tensorboard_dir = tensorboard_dir
        self.prints = prints
        self._columns: list[str] | None = None
        self._writer = None

    def start(self, history: Sequence[dict[str, float]]) -> None:
        """Begin (or resume after ``history``'s rows, those of the checkpoint)."""
        self.history_path.parent.mkdir(parents=True, exist_ok=True)
        self._columns = list(history[0]) if history else None
        if history:
            write_atomic(self.history_path, lambda tmp: _write_rows(tmp, history, "w"))
        else:
            self.history_path.unlink(missing_ok=True)
        if self.tensorboard_dir is not None:
            from torch.utils.tensorboard import SummaryWriter

            # purge_step: TensorBoard hides what a killed attempt logged after the checkpoint.
            self._writer = SummaryWriter(str(self.tensorboard_dir), purge_step=len(history) + 1)
        if history and self.prints:
            print(f"{self.name}: resumed after epoch {len(history)} of {self.epochs}", flush=True)

    def log(self, row: dict[str, float]) -> None:
        """One finished epoch: appended to the history, to TensorBoard, and printed."""
        if self._columns is None:
            self._columns = list(row)
            _write_rows(self.history_path, [row], "w")
        else:
            _write_rows(self.history_path, [row], "a", header=False, columns=self._columns)
        if self._writer is not None:
            for key, value in row.items():
                if key != "epoch" and isinstance(value, float | int) and math.isfinite(value):
                    self._writer.add_scalar(key, value, int(row["epoch"]))
        if self.prints:
            print(epoch_line(self.name, [row], self.epochs), flush=True)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _write_rows(
    path: os.PathLike,
    rows: Sequence[dict[str, float]],
    mode: str,
    header: bool = True,
    columns: Sequence[str] | None = None,
) -> None:
    with open(path, mode, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns or rows[0]))
        if header:
            writer.writeheader()
        writer.writerows(rows)


def epoch_line(name: str, rows: Sequence[dict[str, float]], epochs: int) -> str:
    """``name  epoch 3/100  loss 0.1234  train_acc 0.953  test_acc 0.912  0.12 s/epoch``;
    with several rows (seeds trained at once) each number is the mean over them, followed by
    its range over the seeds."""
    first = rows[0]
    parts = [name, f"epoch {int(first['epoch'])}/{epochs}"]
    for key, short in SHOWN.items():
        values = [row[key] for row in rows if key in row]
        if not values:
            continue
        digits = 4 if key.endswith("loss") else 3
        mean = sum(values) / len(values)
        text = f"{short} {mean:.{digits}f}"
        if len(values) > 1:
            text += f" [{min(values):.{digits}f}, {max(values):.{digits}f}]"
        parts.append(text)
    parts.append(f"{first['seconds']:.3g} s/epoch")
    return "  ".join(parts)


def seed_names(names: Sequence[str]) -> str:
    """A batch's name in its log line: ``group/seed{0,1,2}`` for runs of one group."""
    heads = {name.rsplit("/", 1)[0] for name in names}
    if len(heads) != 1:
        return ", ".join(names)
    seeds = ",".join(name.rsplit("/", 1)[1].removeprefix("seed") for name in names)
    return f"{heads.pop()}/seed{{{seeds}}}" if len(names) > 1 else names[0]
