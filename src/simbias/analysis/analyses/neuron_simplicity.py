"""neuron_simplicity: how simple a trained CNN's neurons are (after Chen et al. 2020)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "neuron_simplicity",
    caption="""How simple a CNN's neurons are (after Chen, Agarwal and Nguyen 2020): the
    smoothness of its first-layer filters and of each channel's preferred probe input, the
    share of channels preferring texture or colour over shape, and the number of input types
    among each channel's most activating probe images; per conv layer and their mean.""",
    title="neuron_simplicity",
    # Its first conv layer's filters and every conv layer's channels: one network's weights.
    needs=("model", "probe_splits", "weights"),
)
def neuron_simplicity(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.neuron_simplicity import neuron_simplicity as measure

    return measure(run.run_dir, run.data_dir, run.device)
