"""weight_spectra: heavy-tailed alphas of a trained network's layers, plain and FARMS."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "weight_spectra",
    caption="""Power-law alpha of each layer's weight eigenspectrum, fitted as WeightWatcher
    does and on the FARMS spectrum (fixed-aspect-ratio submatrices, Hu et al. 2025), with
    the Hill estimate of each; per Linear and Conv2d layer and their mean over layers.""",
    title="weight_spectra",
    needs=("model", "weights"),
)
def weight_spectra(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.spectra import weight_spectra as measure
    from simbias.train.run import load_trained_model

    return measure(load_trained_model(run.run_dir, run.data_dir, run.device))
