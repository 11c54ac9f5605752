"""edge_of_stability: the recorded sharpness against 2 / lr (Cohen et al. 2021)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "edge_of_stability",
    caption="""Edge of stability (Cohen et al. 2021): from each run's recorded sharpness
    (top Hessian eigenvalue of the training loss) and lr, the sharpness at initialisation,
    the median over the last third of training, the largest and the last, each also in
    units of 2/lr; and the final training loss of the tracked examples.""",
    title="edge_of_stability",
    needs=("dynamics",),
)
def edge_of_stability(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.edge_of_stability import edge_of_stability_analysis
    from simbias.train.recorders.dynamics import load_dynamics

    dynamics = load_dynamics(run.run_dir, "edge_of_stability analysis")
    return edge_of_stability_analysis(dynamics)
