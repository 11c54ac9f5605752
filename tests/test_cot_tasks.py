"""Wu et al.'s chain-of-thought arithmetic (issue 17): expressions, steps, tokens, masks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from simbias.data.cot_tasks import (
    BEGIN,
    END,
    PAD,
    ChainExpression,
    CotVocab,
    collate,
    cot_steps,
    evaluate,
    n_steps,
    next_token_targets,
    parse_chain,
    prompt_ids,
    read_answer,
    sample_expression,
    sample_problems,
    step_is_right,
    tokenize,
    written_steps,
)


def _chain_value(e: ChainExpression, modulus: int = 10) -> int:
    """Independent evaluation: fold the chain from the innermost digit outwards."""
    value = e.innermost
    for op, digit, left in zip(
        reversed(e.operators), reversed(e.operands), reversed(e.digit_left), strict=True
    ):
        a, b = (digit, value) if left else (value, digit)
        value = (a + b) % modulus if op == "+" else (a - b) % modulus
    return value


def _n_ops(tokens) -> int:
    return sum(t in ("+", "-") for t in tokens)


@pytest.mark.parametrize(
    ("text", "value"), [("3", 3), ("+ 3 4", 7), ("+ 9 + 5 8", 2), ("- 3 5", 8), ("+ - 1 2 9", 8)]
)
def test_evaluate_by_hand(text, value):
    assert evaluate(list(text)) == value


def test_their_string_format():
    # "+ 3 + 4 5": the digit 3 stands left of the inner sum (4 + 5).
    e = ChainExpression(("+", "+"), (3, 5), (True, False), 4)
    assert "".join(e.tokens()) == "+ 3 + 4 5"
    ids, question_len, steps = tokenize(e, k=1)
    text = "".join(CotVocab().decode(ids))
    assert text == "+ 3 + 4 5<BEGIN><1>\n+ 4 5=9\n+ 3 9=2\n<END>"
    assert question_len == len("+ 3 + 4 5")
    assert [s.value for s in steps] == [9, 2]
    # k = 2 on three operators: the inner two first, then what is left.
    e = ChainExpression(("+", "+", "+"), (1, 2, 4), (True, True, False), 3)
    ids, _, steps = tokenize(e, k=2)
    text = "".join(CotVocab().decode(ids))
    assert text == "+ 1 + 2 + 3 4<BEGIN><2>\n+ 2 + 3 4=9\n+ 1 9=0\n<END>"


@pytest.mark.parametrize("operators", [("+",), ("+", "-")])
def test_sampled_expressions_evaluate_to_their_answers(operators):
    problems = sample_problems(
        0, 200, n_operators=(1, 30), step_sizes=range(1, 9), operators=operators
    )
    for p in problems:
        assert p.answer == _chain_value(p.expression) == evaluate(p.expression.tokens())
        assert p.steps[-1].value == p.answer
        assert read_answer(p.ids) == p.answer
    used = {op for p in problems for op in p.expression.operators}
    assert used == set(operators)


def test_each_step_evaluates_the_innermost_k_operators():
    rng = np.random.default_rng(1)
    for _ in range(150):
        t, k = int(rng.integers(1, 40)), int(rng.integers(1, 13))
        e = sample_expression(rng, t, operators=("+", "-"))
        steps = cot_steps(e, k)
        assert len(steps) == n_steps(t, k) == math.ceil(t / k)
        current = e.tokens()
        for i, step in enumerate(steps):
            sub = step.sub_expression
            assert _n_ops(sub) == (k if i < len(steps) - 1 else t - k * (len(steps) - 1))
            assert evaluate(sub) == step.value
            # The sub-expression is the innermost one: it ends the chain's deepest part, so
            # substituting its value leaves a well-formed expression with the same value.
            where = [j for j in range(len(current)) if current[j : j + len(sub)] == sub]
            assert where, (current, sub)
            j = where[-1]
            current = current[:j] + [str(step.value)] + current[j + len(sub) :]
            assert evaluate(current) == _chain_value(e)
            assert _n_ops(current) == t - sum(_n_ops(s.sub_expression) for s in steps[: i + 1])
        assert current == [str(steps[-1].value)]


def test_sequence_layout_and_loss_mask():
    vocab = CotVocab()
    for p in sample_problems(2, 50, n_operators=(3, 15), step_sizes=(1, 2, 3, 4)):
        tokens = vocab.decode(p.ids)
        q = p.question_len
        assert tokens[:q] == p.expression.tokens()
        assert tokens[q : q + 3] == [BEGIN, f"<{p.k}>", "\n"]
        assert tokens[-1] == END and tokens.count("\n") == 1 + len(p.steps)
        assert tokens.count("=") == len(p.steps) == math.ceil(len(p.expression) / p.k)
        mask = p.loss_mask
        assert not any(mask[: q + 1]) and all(mask[q + 1 :])
        assert p.ids[: q + 2] == prompt_ids(p.expression, p.k)


def test_collate_pads_and_masks():
    vocab = CotVocab()
    problems = sample_problems(3, 5, n_operators=(2, 12))
    ids, mask = collate(problems)
    assert ids.shape == mask.shape == (5, max(len(p.ids) for p in problems))
    for row, p in enumerate(problems):
        assert (ids[row, len(p.ids) :] == vocab.id(PAD)).all()
        assert not mask[row, len(p.ids) :].any()
    inputs, targets = next_token_targets(ids, mask)
    assert inputs.shape == targets.shape == (5, ids.shape[1] - 1)
    kept = targets != -100
    assert torch.equal(targets[kept], ids[:, 1:][mask[:, 1:]])
    assert (targets[0, : problems[0].question_len] == -100).all()


def test_a_seed_names_the_problems():
    a, b = sample_problems(7, 20), sample_problems(7, 20)
    c = sample_problems(8, 20)
    assert [p.ids for p in a] == [p.ids for p in b]
    assert [p.ids for p in a] != [p.ids for p in c]
    assert all(12 <= len(p.expression) <= 24 and 1 <= p.k <= 4 for p in a)


def test_vocab_and_step_tokens():
    vocab = CotVocab()
    assert [vocab.id(str(d)) for d in range(10)] == list(range(10))
    assert len(vocab) == len(set(vocab.tokens)) == 10 + 8 + 12
    with pytest.raises(ValueError):
        vocab.step_token(13)
    assert read_answer(vocab.encode(["+", " ", "1", " ", "2", "\n"])) is None


def test_parse_chain_inverts_tokens():
    """Every sampled question parses back to an expression with the same tokens and value;
    what is not a chain is refused with the reason."""
    for p in sample_problems(5, 300, n_operators=(1, 30), step_sizes=1, operators=("+", "-")):
        parsed = parse_chain(p.expression.tokens())
        assert parsed.tokens() == p.expression.tokens()
        assert evaluate(parsed.tokens()) == p.answer
    assert parse_chain(["7"]).tokens() == ["7"]
    for bad, reason in [
        ("+ 1", "lacks an argument"),
        ("+ 1 2 3", "left after"),
        ("+ + 1 2 + 3 4", "two sub-expressions"),
        ("+ = 2", "not a digit"),
        ("", "empty"),
    ]:
        with pytest.raises(ValueError, match=reason):
            parse_chain(list(bad))


def test_written_steps_and_their_arithmetic():
    vocab = CotVocab()
    ids = vocab.encode(list("\n+ 1 2=3\n+ 4 3=9\n") + [END] + list("+ 5 5=0\n"))
    lines = written_steps(ids)
    assert ["".join(line) for line in lines] == ["+ 1 2=3", "+ 4 3=9"]
    assert [step_is_right(line) for line in lines] == [True, False]
    assert not step_is_right(list("+ 1=1"))  # not an expression
    assert not step_is_right(list("+ 1 2="))  # no value
