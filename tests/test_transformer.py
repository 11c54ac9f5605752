"""The small GPT-2-style transformer (issue 17): causal, cache-consistent, both modes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from simbias.models.transformer import (
    KVCache,
    Transformer,
    TransformerConfig,
    greedy_generate,
    interleave,
    predict_in_context,
)


def _lm(seed: int = 0, **overrides) -> Transformer:
    torch.manual_seed(seed)
    settings = dict(n_layer=2, n_head=2, n_embd=32, n_positions=64, vocab_size=17, init_std=0.2)
    settings.update(overrides)
    return Transformer(TransformerConfig(**settings)).eval()


def _regressor(seed: int = 0, **overrides) -> Transformer:
    torch.manual_seed(seed)
    settings = dict(n_layer=2, n_head=4, n_embd=32, n_positions=40, input_dim=3)
    settings.update(overrides)
    return Transformer(TransformerConfig(**settings)).eval()


def test_config_needs_exactly_one_mode():
    with pytest.raises(ValueError):
        TransformerConfig(vocab_size=5, input_dim=2)
    with pytest.raises(ValueError):
        TransformerConfig()
    with pytest.raises(ValueError):
        TransformerConfig(vocab_size=5, n_embd=30, n_head=4)


@pytest.mark.parametrize("pos_embedding", [True, False])
def test_a_later_token_cannot_change_an_earlier_output(pos_embedding):
    model = _lm(pos_embedding=pos_embedding)
    tokens = torch.randint(0, 17, (2, 20), generator=torch.Generator().manual_seed(1))
    changed = tokens.clone()
    changed[:, 12] = (changed[:, 12] + 5) % 17
    with torch.no_grad():
        before, _ = model(tokens)
        after, _ = model(changed)
    assert before.shape == (2, 20, 17)
    torch.testing.assert_close(after[:, :12], before[:, :12], rtol=0, atol=1e-6)
    assert (after[:, 12:] - before[:, 12:]).abs().amax() > 1e-3


def test_regression_prediction_at_x_i_never_sees_y_i():
    model = _regressor()
    gen = torch.Generator().manual_seed(2)
    xs, ys = torch.randn(2, 10, 3, generator=gen), torch.randn(2, 10, generator=gen)
    with torch.no_grad():
        preds = predict_in_context(model, xs, ys)
        ys2 = ys.clone()
        ys2[:, 6] += 3.0
        preds2 = predict_in_context(model, xs, ys2)
    assert preds.shape == (2, 10)
    torch.testing.assert_close(preds2[:, :7], preds[:, :7], rtol=0, atol=1e-6)
    assert (preds2[:, 7:] - preds[:, 7:]).abs().amax() > 1e-4


def test_interleave_puts_y_in_the_first_coordinate():
    xs = torch.arange(12.0).reshape(1, 4, 3)
    ys = torch.tensor([[10.0, 20.0, 30.0, 40.0]])
    z = interleave(xs, ys)
    assert z.shape == (1, 8, 3)
    torch.testing.assert_close(z[0, ::2], xs[0])
    torch.testing.assert_close(z[0, 1::2, 0], ys[0])
    assert not z[0, 1::2, 1:].any()


def test_incremental_forward_with_cache_matches_full_forward():
    model = _lm()
    tokens = torch.randint(0, 17, (3, 24), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        full, _ = model(tokens)
        # Prefill in two chunks (the masked multi-query path), then one token at a time.
        first, cache = model(tokens[:, :7], use_cache=True)
        second, cache = model(tokens[:, 7:15], cache=cache)
        singles = []
        for i in range(15, 24):
            out, cache = model(tokens[:, i : i + 1], cache=cache)
            singles.append(out)
    assert isinstance(cache, KVCache) and cache.length == 24
    stitched = torch.cat([first, second, *singles], dim=1)
    torch.testing.assert_close(stitched, full, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cached_greedy_generation_equals_uncached(dtype):
    model = _lm(seed=4).to(dtype)
    prompt = torch.randint(0, 17, (4, 6), generator=torch.Generator().manual_seed(5))
    cached = greedy_generate(model, prompt, max_new_tokens=40, use_cache=True)
    plain = greedy_generate(model, prompt, max_new_tokens=40, use_cache=False)
    assert cached.shape == (4, 46)
    assert torch.equal(cached[:, :6], prompt)
    assert torch.equal(cached, plain)
    # Not a degenerate fixed point: the continuation uses several tokens.
    assert cached[:, 6:].unique().numel() > 2


def test_generation_stops_at_the_stop_token():
    model = _lm(seed=6)
    prompt = torch.randint(0, 17, (3, 5), generator=torch.Generator().manual_seed(7))
    free = greedy_generate(model, prompt, max_new_tokens=30)
    stop = int(free[0, 8])  # a token that sequence 0 emits
    stopped = greedy_generate(model, prompt, max_new_tokens=30, stop_token=stop)
    uncached = greedy_generate(model, prompt, 30, use_cache=False, stop_token=stop)
    assert torch.equal(stopped, uncached)
    for row in range(3):
        hits = (stopped[row, 5:] == stop).nonzero()
        if len(hits):
            first = 5 + int(hits[0])
            assert (stopped[row, first:] == stop).all()
            assert torch.equal(stopped[row, :first], free[row, :first])
    assert stopped.shape[1] <= free.shape[1]


def test_positions_beyond_the_embedding_are_refused():
    model = _lm(n_positions=8)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 9, dtype=torch.long))
    _, cache = model(torch.zeros(1, 8, dtype=torch.long), use_cache=True)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 1, dtype=torch.long), cache=cache)


def test_gpt2_shape_and_tied_head():
    model = _lm(n_layer=3, n_embd=48, n_head=4)
    assert model.head.weight is model.embed.weight
    block = model.blocks[0]
    assert block.mlp[0].out_features == 4 * 48
    assert len(model.blocks) == 3
    # Residual projections get the GPT-2 scaled init, std 0.2 / sqrt(2 * 3).
    assert abs(block.attn.proj.weight.std().item() - 0.2 / 6**0.5) < 0.02


def test_both_modes_train():
    lm = _lm(init_std=0.02).train()
    tokens = torch.randint(0, 17, (4, 12), generator=torch.Generator().manual_seed(8))
    logits, cache = lm(tokens[:, :-1])
    assert cache is None
    F.cross_entropy(logits.reshape(-1, 17), tokens[:, 1:].reshape(-1)).backward()
    assert all(p.grad is not None and p.grad.isfinite().all() for p in lm.parameters())

    reg = _regressor().train()
    xs, ys = torch.randn(4, 5, 3), torch.randn(4, 5)
    F.mse_loss(predict_in_context(reg, xs, ys), ys).backward()
    assert reg.embed.weight.grad is not None and reg.head.weight.grad.isfinite().all()
