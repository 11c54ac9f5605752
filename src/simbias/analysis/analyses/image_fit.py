"""image_fit: how well a coordinate network reproduces an image (Tancik et al. 2020)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "image_fit",
    caption="""Image regression (Tancik et al. 2020): PSNR, -10 log10(mean squared error) of
    RGB in [0, 1], of the trained network on its training pixels (train_psnr), on the
    held-out pixels (test_psnr), on all pixels (all_psnr, the demo's "test" PSNR), and the
    gap train - held-out (gap_psnr).""",
    title="Image fit: PSNR on training and held-out pixels",
    needs=("model", "image_pixels"),
)
def image_fit(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.spectral_bias import image_fit_analysis

    return image_fit_analysis(run.run_dir, run.data_dir, run.device)
