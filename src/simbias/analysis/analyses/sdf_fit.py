"""sdf_fit: how well a coordinate network reproduces a signed distance field near thin
and near thick parts of its shape (DebSDF's thin structures)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "sdf_fit",
    caption="""Signed distance field fit (thin_shape_sdf): mean absolute SDF error of the
    trained network on its training points (train_mae), on the held-out points (test_mae),
    on the held-out points within the band of a thin part's boundary (thin_mae) and of the
    thick part's (thick_mae), and their per-run difference thin - thick (gap_mae); the share
    of each part's held-out inside points that the fit puts inside (thin_inside,
    thick_inside) and thick - thin (lost_inside).""",
    title="SDF fit: mean absolute error near thin and thick parts",
    needs=("model", "sdf_regions"),
)
def sdf_fit(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.sdf_fit import sdf_fit_analysis

    return sdf_fit_analysis(run.run_dir, run.data_dir, run.device)
