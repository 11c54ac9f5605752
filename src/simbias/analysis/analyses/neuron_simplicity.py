"""neuron_simplicity: how simple a trained CNN's neurons are (after Chen et al. 2020)."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.analysis.catalogue import ANALYSES, RunInputs
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class NeuronSimplicitySettings(Params):
    """How many top images a channel's input diversity counts, and the noisy images' noise."""

    # NetDissect's TOPN (anguyen8/shape-bias settings/settings.py, visualize/report.py).
    top_k: int = param(10, description="Top-activating test images per channel.", minimum=1)
    # The paper's noisy set (dataset/gaussian_noise, channel_activation.py) is not in its
    # repo: 0.08 on [0, 1] images is ImageNet-C's Gaussian noise at severity 1 (Hendrycks
    # and Dietterich 2019).
    noise_std: float = param(
        0.08, description="Std of the Gaussian noise of the noisy images.", exclusive_minimum=0
    )


@ANALYSES.register(
    "neuron_simplicity",
    params=NeuronSimplicitySettings,
    caption="""How simple a CNN's neurons are, as Chen, Agarwal and Nguyen 2020 measure it
    (anguyen8/shape-bias tv_obs.py, NetDissect): per layer, the total variation of each
    channel's activation map on clean and on noisy test images, the distinct classes (and
    exp entropy) among each channel's top-k test images, and the share of channels preferring
    texture or colour probes; with the first-layer filters' smoothness and their relative
    distance from initialisation.""",
    title="neuron_simplicity",
    # Its first conv layer's filters and every conv layer's channels: one network's weights.
    needs=("model", "probe_splits", "weights", "conv_layers"),
)
def neuron_simplicity(run: RunInputs, settings: NeuronSimplicitySettings) -> dict[str, float]:
    from simbias.analysis.neuron_simplicity import neuron_simplicity as measure

    return measure(run.run_dir, run.data_dir, run.device, **settings.to_dict())
