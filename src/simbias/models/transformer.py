"""A small decoder-only GPT-2-style transformer for the small-transformer papers (issue 17).

Two papers train GPT-2-shaped decoders from scratch and study what they prefer to learn:

* Panwar, Ahuja & Goyal, "In-Context Learning through the Bayesian Prism" (code:
  mdrpanwar/icl-bayesian-prism) feed a *regression* prompt ``x_1, y_1, x_2, y_2, ...`` as vector
  tokens and read a scalar prediction of ``y_i`` off the token of ``x_i``;
* Wu et al. 2025, "When More is Less: Understanding Chain-of-Thought Length in LLMs" (code:
  acetocarmine11/cot-length) train a *next-token language model* over a tiny vocabulary.

Both wrap a GPT-2 backbone (Hugging Face's, or nanoGPT's in cot-length synthetic/model/
vanilla_gpt2.py); we write the same architecture in plain torch so that no extra dependency or
hub weight is needed, and so that one class serves both modes. Greedy decoding of chain-of-thought
answers is long, so the attention keeps a key/value cache: decoding a token then costs one
position's work, not the whole prefix's. The model catalogue builds the regression mode as a
:class:`PromptRegressor` (simbias.models.architectures.transformer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from simbias.data.icl_tasks import pack_prompts

__all__ = ["pack_prompts"]  # re-exported: prompts as PromptRegressor takes them


@dataclass(frozen=True, kw_only=True)
class TransformerConfig:
    """Shape of the network. Exactly one of ``vocab_size`` (language model) and ``input_dim``
    (vector-token regression) is set; the defaults are the ICL paper's "standard" model."""

    # icl-bayesian-prism src/conf/models/standard.yaml: n_embd 256, n_layer 12, n_head 8
    # (also src/conf/fourier_series.yaml). cot-length synthetic/train.py instead sets
    # n_layer = n_head = model_size and n_embd = 64 * model_size (each_head_dim = 64).
    n_layer: int = 12
    n_head: int = 8
    n_embd: int = 256
    # Longest sequence the learned positional embedding covers. icl-bayesian-prism src/models.py
    # builds GPT2Config(n_positions=2 * n_positions) with n_positions 101 (src/conf/base.yaml):
    # 202 tokens for 101 interleaved (x, y) pairs. cot-length synthetic/train.py: block_size 3100.
    n_positions: int = 202
    # GPT-2 adds learned absolute positions (cot-length: position_encoding 'absolute');
    # icl-bayesian-prism's linear_regression.yaml and fourier_series*.yaml set pos_encode: False
    # (src/base_models.py GPT2ModelWOPosEncodings drops wpe).
    pos_embedding: bool = True
    vocab_size: int | None = None
    input_dim: int | None = None
    # GPT-2's n_inner = 4 * n_embd (cot-length synthetic/train.py passes n_inner=4*n_embd).
    mlp_ratio: int = 4
    # cot-length synthetic/train.py: activation_function='gelu' (exact erf GELU); the Hugging
    # Face GPT-2 default used by icl-bayesian-prism is 'gelu_new', i.e. the tanh approximation.
    gelu_approximate: Literal["none", "tanh"] = "none"
    # GPT-2 LayerNorm epsilon (cot-length synthetic/model/vanilla_gpt2.py LayerNorm: 1e-5).
    layer_norm_eps: float = 1e-5
    # Both papers train without dropout (icl-bayesian-prism src/models.py resid/embd/attn_pdrop
    # 0.0; cot-length synthetic/train.py dropout = 0.0).
    dropout: float = 0.0
    # GPT-2 initialisation, N(0, 0.02), residual projections N(0, 0.02 / sqrt(2 n_layer))
    # (cot-length synthetic/model/vanilla_gpt2.py GPT.__init__ and _init_weights).
    init_std: float = 0.02
    # The LM head shares the token embedding (vanilla_gpt2.py; HF GPT2LMHeadModel ties too).
    tie_embeddings: bool = True

    def __post_init__(self) -> None:
        if (self.vocab_size is None) == (self.input_dim is None):
            raise ValueError("set exactly one of vocab_size (language model) and input_dim")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")

    @property
    def mode(self) -> Literal["lm", "regression"]:
        return "lm" if self.vocab_size is not None else "regression"


@dataclass
class KVCache:
    """Keys and values of every layer for the positions seen so far, each ``(batch, heads,
    length, head_dim)``; a forward pass with a cache appends its new positions to a copy."""

    layers: list[tuple[Tensor, Tensor]] = field(default_factory=list)

    @property
    def length(self) -> int:
        return self.layers[0][0].shape[2] if self.layers else 0


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which a position sees itself and earlier positions only,
    the cached past included."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.proj = nn.Linear(config.n_embd, config.n_embd)
        self.dropout = config.dropout

    def forward(
        self, x: Tensor, past: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        batch, length, width = x.shape
        q, k, v = (
            part.view(batch, length, self.n_head, width // self.n_head).transpose(1, 2)
            for part in self.qkv(x).split(width, dim=2)
        )
        n_past = 0
        if past is not None:
            n_past = past[0].shape[2]
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        dropout = self.dropout if self.training else 0.0
        if n_past == 0:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
        elif length == 1:
            # One new query may see every key: no mask needed.
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout)
        else:
            # New query i sits at absolute position n_past + i and sees keys up to it.
            rows = torch.arange(length, device=x.device)[:, None] + n_past
            allowed = torch.arange(n_past + length, device=x.device)[None, :] <= rows
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout)
        y = y.transpose(1, 2).reshape(batch, length, width)
        return F.dropout(self.proj(y), dropout, self.training), (k, v)


class Block(nn.Module):
    """Pre-LayerNorm residual block (GPT-2): ``x + attn(ln(x))``, then ``x + mlp(ln(x))``."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        hidden = config.mlp_ratio * config.n_embd
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, hidden),
            nn.GELU(approximate=config.gelu_approximate),
            nn.Linear(hidden, config.n_embd),
            nn.Dropout(config.dropout),
        )

    def forward(
        self, x: Tensor, past: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        attended, present = self.attn(self.ln_1(x), past)
        x = x + attended
        return x + self.mlp(self.ln_2(x)), present


class Transformer(nn.Module):
    """Decoder-only transformer; see :class:`TransformerConfig` for the two modes.

    ``forward(inputs, cache=None, use_cache=False)`` returns ``(output, cache)``: logits
    ``(batch, length, vocab)`` for long token ids ``(batch, length)``, or scalar predictions
    ``(batch, length)`` for vector tokens ``(batch, length, input_dim)``; the cache is ``None``
    unless one was passed or ``use_cache`` is set.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        if config.mode == "lm":
            self.embed: nn.Module = nn.Embedding(config.vocab_size, config.n_embd)
        else:
            self.embed = nn.Linear(config.input_dim, config.n_embd)
        self.pos = nn.Embedding(config.n_positions, config.n_embd) if config.pos_embedding else None
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps)
        if config.mode == "lm":
            self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        else:
            self.head = nn.Linear(config.n_embd, 1)
        self._init_weights()

    def _init_weights(self) -> None:
        std = self.config.init_std
        for module in self.blocks.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, std)
                nn.init.zeros_(module.bias)
        for block in self.blocks:
            for proj in (block.attn.proj, block.mlp[2]):
                nn.init.normal_(proj.weight, 0.0, std / math.sqrt(2 * self.config.n_layer))
        if self.pos is not None:
            nn.init.normal_(self.pos.weight, 0.0, std)
        if self.config.mode == "lm":
            nn.init.normal_(self.embed.weight, 0.0, std)
            if self.config.tie_embeddings:
                self.head.weight = self.embed.weight
            else:
                nn.init.normal_(self.head.weight, 0.0, std)
        # Regression mode: icl-bayesian-prism src/models.py's _read_in / _read_out are plain
        # nn.Linear layers outside the GPT-2 backbone, so they keep PyTorch's default init.

    def forward(
        self, inputs: Tensor, cache: KVCache | None = None, use_cache: bool = False
    ) -> tuple[Tensor, KVCache | None]:
        start = cache.length if cache is not None else 0
        length = inputs.shape[1]
        h = self.embed(inputs)
        if self.pos is not None:
            if start + length > self.config.n_positions:
                raise ValueError(
                    f"{start + length} positions exceed n_positions {self.config.n_positions}"
                )
            h = h + self.pos(torch.arange(start, start + length, device=h.device))
        h = self.drop(h)
        keep = cache is not None or use_cache
        presents: list[tuple[Tensor, Tensor]] = []
        for i, block in enumerate(self.blocks):
            past = cache.layers[i] if cache is not None and cache.layers else None
            h, present = block(h, past)
            if keep:
                presents.append(present)
        out = self.head(self.ln_f(h))
        if self.config.mode == "regression":
            out = out[..., 0]
        return out, (KVCache(presents) if keep else None)


def interleave(xs: Tensor, ys: Tensor, mark_outputs: bool = False) -> Tensor:
    """The ICL prompt ``x_1, y_1, x_2, y_2, ...`` as ``(batch, 2 points, d)`` vector tokens, each
    ``y_i`` in the first coordinate of an otherwise zero token (Garg et al.'s ``_combine``,
    icl-bayesian-prism src/models.py TransformerModel._combine). ``mark_outputs`` adds a last
    coordinate, 0 on x tokens and 1 on y tokens (``d + 1`` wide): with 1-d inputs and no
    positional embedding an x token and a y token are otherwise the same kind of number."""
    batch, points, dim = xs.shape
    ys_wide = torch.zeros(batch, points, dim, dtype=xs.dtype, device=xs.device)
    ys_wide[..., 0] = ys
    if mark_outputs:
        xs = F.pad(xs, (0, 1), value=0.0)
        ys_wide = F.pad(ys_wide, (0, 1), value=1.0)
        dim += 1
    return torch.stack((xs, ys_wide), dim=2).reshape(batch, 2 * points, dim)


class PromptRegressor(nn.Module):
    """A regression-mode :class:`Transformer` that takes whole prompts and returns its
    in-context predictions: ``(batch, points, d + 1)`` (:func:`pack_prompts`) to
    ``(batch, points)``, the prediction of each ``y_i`` from ``x_1, y_1, ..., x_i`` (the
    readout at the ``x_i`` tokens, icl-bayesian-prism src/models.py ``prediction[:, ::2, 0]``;
    the causal mask keeps ``y_i`` from its own prediction). One tensor in, one out: the
    training engine's update rules and losses take it as they take a classifier."""

    def __init__(self, config: TransformerConfig, mark_outputs: bool = False) -> None:
        super().__init__()
        self.mark_outputs = mark_outputs
        self.backbone = Transformer(config)

    def forward(self, prompts: Tensor) -> Tensor:
        tokens = interleave(prompts[..., :-1], prompts[..., -1], self.mark_outputs)
        out, _ = self.backbone(tokens)
        return out[:, ::2]


class LanguageModel(nn.Module):
    """A language-model-mode :class:`Transformer` as the training engine takes a network:
    token ids ``(batch, length)`` in, next-token logits ``(batch, length, vocab)`` out (the
    cache stays inside; :func:`greedy_generate` takes ``.backbone``)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        if config.mode != "lm":
            raise ValueError("LanguageModel needs vocab_size")
        self.backbone = Transformer(config)

    def forward(self, ids: Tensor) -> Tensor:
        logits, _ = self.backbone(ids)
        return logits


def predict_in_context(model: Transformer | PromptRegressor, xs: Tensor, ys: Tensor) -> Tensor:
    """Predictions ``(batch, points)`` of each ``y_i`` from ``x_1, y_1, ..., x_i``, from a
    :class:`PromptRegressor` or a bare regression-mode :class:`Transformer`."""
    if isinstance(model, PromptRegressor):
        return model(pack_prompts(xs, ys))
    if model.config.mode != "regression":
        raise ValueError("predict_in_context needs a regression-mode transformer")
    out, _ = model(interleave(xs, ys))
    return out[:, ::2]


@torch.no_grad()
def predict_queries(model: PromptRegressor, xs: Tensor, ys: Tensor, queries: Tensor) -> Tensor:
    """``(batch, q)``: the prediction at each query ``(batch, q, d)`` from the context
    ``xs, ys`` (``(batch, k, d)``, ``(batch, k)``; ``k`` may be 0), every query on its own as
    the next x after the context. The context is run once and its keys and values are
    shared by the queries (the KV cache): ``2k + q`` tokens of work, not ``q (2k + 1)``."""
    batch, count, dim = queries.shape
    cache = None
    if xs.shape[1]:
        tokens = interleave(xs, ys, model.mark_outputs)
        _, cache = model.backbone(tokens, use_cache=True)
        cache = KVCache([(k.repeat_interleave(count, 0), v.repeat_interleave(count, 0))
                         for k, v in cache.layers])  # fmt: skip
    query = queries.reshape(batch * count, 1, dim)
    if model.mark_outputs:
        query = F.pad(query, (0, 1), value=0.0)
    out, _ = model.backbone(query, cache=cache)
    return out[:, 0].reshape(batch, count)


@torch.no_grad()
def greedy_generate(
    model: Transformer,
    prompt: Tensor,
    max_new_tokens: int,
    use_cache: bool = True,
    stop_token: int | None = None,
) -> Tensor:
    """Extend ``prompt`` ``(batch, length)`` by the argmax token ``max_new_tokens`` times (cot-
    length synthetic/eval.py decodes with do_sample=False, stopping at <END>). With
    ``stop_token``, a finished sequence keeps repeating it and decoding ends once all have.
    ``use_cache=False`` re-runs the whole sequence per token, the reference for the cache."""
    if model.config.mode != "lm":
        raise ValueError("greedy_generate needs a language-model transformer")
    tokens = prompt
    done = torch.zeros(prompt.shape[0], dtype=torch.bool, device=prompt.device)
    cache: KVCache | None = None
    step_input = prompt
    for _ in range(max_new_tokens):
        if use_cache:
            logits, cache = model(step_input, cache=cache, use_cache=True)
        else:
            logits, _ = model(tokens)
        nxt = logits[:, -1].argmax(dim=-1)
        if stop_token is not None:
            nxt = torch.where(done, torch.full_like(nxt, stop_token), nxt)
            done = done | (nxt == stop_token)
        tokens = torch.cat([tokens, nxt[:, None]], dim=1)
        step_input = nxt[:, None]
        if stop_token is not None and bool(done.all()):
            break
    return tokens
