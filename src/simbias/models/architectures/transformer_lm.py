"""Decoder-only GPT-2 language model for chain-of-thought arithmetic (Wu et al. 2025, code
acetocarmine11/cot-length synthetic/train.py): capability grows with one number, the model
size M, as n_layer = n_head = M and width 64 M (each_head_dim 64)."""

from __future__ import annotations

from dataclasses import dataclass

from simbias.models.registry import MODELS
from simbias.models.transformer import LanguageModel, TransformerConfig
from simbias.params import Params, param

#: cot-length synthetic/train.py each_head_dim = 64: width 64 per layer (and per head).
HEAD_WIDTH = 64


@dataclass(frozen=True, kw_only=True)
class TransformerLmParams(Params):
    """The transformer_lm kind's parameters."""

    size: int = param(
        6,
        description="Model size M: M layers, M heads, width 64 M (cot-length synthetic/"
        "train.py model_size, default 6; their figures sweep M).",
        minimum=1,
    )
    vocab_size: int = param(
        30,
        description="Tokens: 10 digits, 8 symbols, step tokens <1>..<12> (synthetic/"
        "tokenizor.py ArithmeticTokenizer; simbias.data.cot_tasks.CotVocab).",
        minimum=2,
    )
    n_positions: int = param(
        3100,
        description="Longest sequence (synthetic/train.py block_size 3100); a T = 24, k = 1"
        " solution is 293 tokens.",
        minimum=1,
    )


@MODELS.register(
    "transformer_lm",
    params=TransformerLmParams,
    caption="Decoder-only GPT-2 language model of M layers, M heads and width 64 M, trained"
    " on next tokens (chain-of-thought arithmetic, Wu et al. 2025).",
    # A run trains on a stream of fresh questions, one seed at a time (simbias.train.stream_fit).
    seeds_at_once="chain-of-thought runs train on a question stream, one seed at a time",
)
def build(
    params: TransformerLmParams, input_shape: tuple[int, ...], n_classes: int | None
) -> LanguageModel:
    """For token sequences (``input_shape`` = (length,), a cot_arithmetic dataset's test
    split); GELU exact and GPT-2 defaults otherwise (simbias.models.transformer)."""
    if len(input_shape) != 1:
        raise ValueError(f"the language model takes token sequences, got inputs {input_shape}")
    config = TransformerConfig(
        n_layer=params.size, n_head=params.size, n_embd=HEAD_WIDTH * params.size,
        n_positions=params.n_positions, vocab_size=params.vocab_size,
    )  # fmt: skip
    return LanguageModel(config)
