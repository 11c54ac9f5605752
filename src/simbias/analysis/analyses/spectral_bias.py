"""spectral_bias: when each frequency of a sum of sines is learned (Rahaman et al. 2019)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "spectral_bias",
    caption="""Spectral bias (Rahaman et al. 2019): from the amplitudes of the target's
    frequencies in the fit over training (the fit_spectrum probe), per frequency k the first
    step at which it reaches half its target amplitude (f{k}_halfstep, NaN if never) and its
    final share (f{k}_amplitude); Spearman's correlation of frequency and that step
    (order_rho: 1 when lower frequencies are learned first) and how many got there
    (order_reached).""",
    title="Spectral bias: half-amplitude steps by frequency",
    # A finished run: its history holds the fit_spectrum probe's amplitudes.
    needs=("model", "fit_spectrum"),
)
def spectral_bias(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.spectral_bias import spectral_bias_analysis

    return spectral_bias_analysis(run.run_dir, run.data_dir)
