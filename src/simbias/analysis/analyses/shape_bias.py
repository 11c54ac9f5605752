"""shape_bias: which cue a run follows on cue-conflict images (Geirhos et al. 2019)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "shape_bias",
    caption="""Shape bias (Geirhos et al. 2019): the fraction of cue-decided answers on
    cue-conflict images that follow the shape (texture bias: the rest), with the accuracies
    on the test and single-cue splits, which tell which cue the network can use at all, and
    for the cue-amplitude sweep the dataset's cue amplitude and the run's L-inf radius.""",
    title="shape_bias",
    needs=("model", "probe_splits"),
)
def shape_bias(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.shape_bias import shape_bias_analysis

    return shape_bias_analysis(run.run_dir, run.data_dir, run.device)
