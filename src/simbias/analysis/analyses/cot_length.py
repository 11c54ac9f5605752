"""cot_length: final-answer accuracy against the chain-of-thought step size (Wu et al. 2025),
and whether a failing chain reads the wrong operands or adds them wrongly."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.analysis.catalogue import ANALYSES, RunInputs
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class CotLengthSettings(Params):
    """Settings of the cot_length analysis."""

    step_sizes: list[int] = param(
        [],
        description="Step sizes k the model is prompted with (synthetic/eval.py test_t);"
        " default (empty): 1 .. the largest k of its training data.",
        items={"minimum": 1, "maximum": 12},
    )
    questions: int | None = param(
        None,
        description="Held-out questions per T (default: all of the test split's;"
        " synthetic/eval.py total 100).",
        minimum=1,
    )
    cache_checks: int = param(
        2,
        description="Questions per (T, k) decoded also without the KV cache; the analysis"
        " stops if the two differ.",
        minimum=0,
    )


@ANALYSES.register(
    "cot_length",
    params=CotLengthSettings,
    caption="""Chain-of-thought length (Wu et al. 2025): per run, the share of held-out
    questions of T operators whose greedy chain of thought with step size k (ceil(T / k)
    steps) ends in the right answer ({predictor}_T{T}k{k}accuracy), for the trained network
    (trained) and the same network at its initial weights (untrained). Why a chain fails:
    the share whose first step writes the right sub-expression, read off the question
    (..copy), and the share of written steps whose value is their own sub-expression's, right
    or wrong operands alike (..arithmetic; chance 0.1).""",
    title="cot_length",
    needs=("model", "cot_questions"),
)
def cot_length(run: RunInputs, settings: CotLengthSettings) -> dict[str, float]:
    from simbias.analysis.cot_length import cot_length_analysis
    from simbias.analysis.neuron_simplicity import initial_model
    from simbias.data.store import load_split, read_card
    from simbias.train.run import load_trained_model

    card = read_card(run.data_dir)
    model = load_trained_model(run.run_dir, run.data_dir, run.device)
    untrained = initial_model(run.run_dir, run.data_dir, run.device).eval()
    step_sizes = settings.step_sizes or list(range(1, max(card["stream"]["step_sizes"]) + 1))
    return cot_length_analysis(
        {"trained": model, "untrained": untrained}, load_split(run.data_dir, "test"),
        step_sizes, settings.questions, settings.cache_checks, run.device,
    )  # fmt: skip
