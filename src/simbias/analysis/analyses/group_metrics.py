"""group_metrics: accuracy per (class, simple-feature) group, as spurious-correlation
benchmarks report it (SubpopBench, SpuCo, WILDS)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "group_metrics",
    caption="""Accuracy per group on the test, S-randomised and S^c-randomised sets, the
    groups being the pairs (label y, class the example's simple feature indicates s), the
    (class, spurious attribute) groups of SubpopBench, SpuCo and WILDS: y{y}s{s} per group
    (NaN where a group has no examples, as the test set has none with s != y), worstgroup
    (the worst group's accuracy) and groupmean (the mean over groups with examples), plus
    balanced, the accuracy on a group-balanced subset of S-rand (every group subsampled to
    the smallest's size, one seeded draw). A model that reads only the simple feature scores
    1 where s = y, 0 where s != y: worst group 0 and balanced 0.5 on S-rand.""",
    title="Group metrics",
    needs=("model", "groups"),
)
def group_metrics(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.group_metrics import group_metrics as measure

    return measure(run.run_dir, run.data_dir, run.device)
