"""Decoder-only GPT-2-style transformer for in-context regression (Panwar et al. 2024, code
mdrpanwar/icl-bayesian-prism src/models.py TransformerModel): prompts of points (x_i, y_i)
in, the prediction of every y_i from the points before it out (simbias.models.transformer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simbias.models.registry import MODELS
from simbias.models.transformer import PromptRegressor, TransformerConfig
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class TransformerParams(Params):
    """The transformer kind's parameters; the defaults are the paper's "standard" model."""

    # icl-bayesian-prism src/conf/models/standard.yaml (and fourier_series*.yaml): 12, 8, 256.
    n_layer: int = param(
        12, description="Transformer blocks (standard.yaml n_layer 12).", minimum=1
    )
    n_head: int = param(8, description="Attention heads (standard.yaml n_head 8).", minimum=1)
    n_embd: int = param(
        256, description="Width, a multiple of n_head (standard.yaml n_embd 256).", minimum=1
    )
    pos_embedding: bool = param(
        False,
        description="GPT-2's learned absolute positions; off in their linear_regression.yaml"
        " and fourier_series*.yaml (pos_encode False, src/base_models.py"
        " GPT2ModelWOPosEncodings).",
    )
    mark_outputs: bool = param(
        False,
        description="Give every token one more coordinate, 1 on y tokens and 0 on x tokens."
        " Not in their model: with 1-d x and no positional embedding an x token and a y"
        " token are otherwise the same kind of number, which a small model does not sort out"
        " in a few thousand steps (configs/experiments/icl_bayesian_prism.yaml).",
    )
    gelu_approximate: Literal["none", "tanh"] = param(
        "tanh",
        description="GELU form: tanh, Hugging Face GPT-2's default gelu_new (their backbone),"
        " or none (exact erf).",
    )

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")


@MODELS.register(
    "transformer",
    params=TransformerParams,
    caption="Decoder-only GPT-2-style transformer over interleaved x / y tokens, predicting"
    " each y_i in context (in-context regression, Panwar et al. 2024).",
    # Its runs draw a fresh prompt stream per seed (simbias.train.stream_fit), one seed at a
    # time; a step is arithmetic-bound (matmuls and attention are 70% of it on one core,
    # profiled at width 64), so stacking seeds would save little.
    seeds_at_once="in-context runs train on a prompt stream, one seed at a time",
)
def build(
    params: TransformerParams, input_shape: tuple[int, ...], n_classes: int | None
) -> PromptRegressor:
    """For prompts of ``input_shape`` = (points, d): the inputs of an icl_regression
    dataset; positions cover 2 x points tokens (src/models.py n_positions=2*n_positions)."""
    if len(input_shape) != 2:
        raise ValueError(f"the transformer takes prompts (points, d), got inputs {input_shape}")
    points, dim = input_shape
    config = TransformerConfig(
        n_layer=params.n_layer, n_head=params.n_head, n_embd=params.n_embd,
        n_positions=2 * points, pos_embedding=params.pos_embedding,
        input_dim=dim + int(params.mark_outputs), gelu_approximate=params.gelu_approximate,
    )  # fmt: skip
    return PromptRegressor(config, mark_outputs=params.mark_outputs)
