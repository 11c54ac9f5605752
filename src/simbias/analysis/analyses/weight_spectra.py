"""weight_spectra: heavy-tailed alphas of a trained network's layers, plain and FARMS."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "weight_spectra",
    caption="""Heavy-tail alpha of each layer's weight eigenspectrum: WeightWatcher's
    KS-selected power-law fit (alpha), Hill's estimator with xmin at the median (alpha_hill),
    the same Hill fit on FARMS's pooled 100 x 100 windows (farms_alpha, Hu et al. 2025) and on
    one 100 x 100 block (single_block_alpha); per Linear and Conv2d layer.""",
    title="weight_spectra",
    # Every Linear and Conv2d of the model: an ensemble's members' layers all count.
    needs=("model",),
)
def weight_spectra(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.spectra import weight_spectra as measure
    from simbias.train.run import load_trained_model

    return measure(load_trained_model(run.run_dir, run.data_dir, run.device))
