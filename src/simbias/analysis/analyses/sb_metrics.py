"""sb_metrics: how much a run relies on the simple feature (Shah et al. 2020, sec. 3)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "sb_metrics",
    caption="""Accuracy and ROC AUC on the test set, the S-randomised set (simple feature
    shuffled) and the S^c-randomised set (complex features shuffled): a model that relies
    only on the simple feature keeps its accuracy on S^c-rand and falls to chance on S-rand.""",
    title="Simplicity-bias metrics",
    needs=("model", "sb_splits"),
)
def sb_metrics(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.sb_metrics import sb_metrics as measure

    return measure(run.run_dir, run.data_dir, run.device)
