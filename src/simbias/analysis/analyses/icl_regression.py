"""icl_regression: in-context error and the Fourier simplicity readout (Panwar et al. 2024)."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.analysis.catalogue import ANALYSES, RunInputs
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class IclRegressionSettings(Params):
    """Settings of the icl_regression analysis."""

    functions: int = param(
        100,
        description="Functions per maximum frequency m and context size k in the power"
        " readout (their fourier_series_mixture_inductive_bias.py: 10 per panel; more for a"
        " tighter mean per seed).",
        minimum=1,
    )
    max_examples: int | None = param(
        None,
        description="Largest context size k of the power readout (default: points - 1, the"
        " longest context the model's prompts hold).",
        minimum=1,
    )
    error_prompts: int | None = param(
        None,
        description="Held-out prompts of the error curve (default: the whole test split).",
        minimum=1,
    )


@ANALYSES.register(
    "icl_regression",
    params=IclRegressionSettings,
    caption="""In-context regression (Panwar et al. 2024): per run, the squared error of the
    prediction of a held-out prompt's point from the k points before it
    ({predictor}_k{k}error), and for Fourier tasks the share of the DFT power of the fit on a
    40-point grid above the functions' maximum frequency m, with k of their points as the
    context ({predictor}_m{m}k{k}power); for the trained transformer (trained), the same
    network at its initial weights (untrained), the Bayes-optimal predictor (bayes) and
    minimum-norm least squares on every Fourier feature up to N (ridge).""",
    title="icl_regression",
    needs=("model", "icl_prompts"),
)
def icl_regression(run: RunInputs, settings: IclRegressionSettings) -> dict[str, float]:
    import torch

    from simbias.analysis.icl_regression import IclNetworks, icl_regression_analysis
    from simbias.analysis.neuron_simplicity import initial_model
    from simbias.data.prompt_stream import PromptStream
    from simbias.data.store import load_split, read_card
    from simbias.train.run import load_trained_model

    card = read_card(run.data_dir)
    model = load_trained_model(run.run_dir, run.data_dir, run.device)
    untrained = initial_model(run.run_dir, run.data_dir, run.device).eval()
    test = load_split(run.data_dir, "test")
    count = settings.error_prompts or len(test.y)
    held_out = (torch.from_numpy(test.x[:count]), torch.from_numpy(test.y[:count]))
    return icl_regression_analysis(
        IclNetworks(model, untrained), PromptStream.from_dict(card["stream"]), held_out,
        run.seed, settings.functions, settings.max_examples,
    )  # fmt: skip
