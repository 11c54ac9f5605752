"""Chain-of-thought arithmetic of Wu et al. 2025, "When More is Less: Understanding
Chain-of-Thought Length in LLMs" (code acetocarmine11/cot-length, synthetic/).

A question is a sum modulo 10 written in prefix notation whose expression tree is a chain of T
operators (every operator has one digit operand and one sub-expression). A chain of thought
solves it bottom-up, each step evaluating the innermost sub-expression of k operators and
replacing it by its value, so a solution takes ceil(T / k) steps. The step size k is announced
by a token, and the paper's finding -- accuracy peaks at an intermediate CoT length, and the
optimal k grows with model capacity, so models drift towards the shortest (simplest) chain that
they can still execute -- is measured by prompting a trained model with each k.

Sequences follow synthetic/tokenizor.py process_arithmetic_sample: ``question <BEGIN> <k> \\n``
then one ``sub_expression=value\\n`` per step, then ``<END>``; the answer is the last step's
value. Spaces are tokens, as in their character-level ArithmeticTokenizer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

# Sums modulo 10 over digits 0..9: synthetic/tokenizor.py ff_mod = 10;
# synthetic/dataset/gen_arith_data.py generate_tree draws leaves randint(0, ff_mod - 1).
MODULUS = 10
# Only '+': gen_arith_data.py generate_tree uses random.choice(['+']) ('*' is commented out).
# '-' (left minus right, mod 10) is available as an extension.
OPERATORS = ("+",)
# Step-size tokens <1> .. <12>: synthetic/tokenizor.py ts = [1, ..., 12].
MAX_STEP = 12
# Mixed training data: T ~ U{12, ..., T_max} (gen_arith_data.py generate_data,
# random.sample(range(12, T + 1))) with T_max = 24 and k in 1..4 (gen_mixed_data: T = 24,
# t = 4, one equal share of samples per k).
MIN_OPERATORS, MAX_OPERATORS = 12, 24
STEP_SIZES = (1, 2, 3, 4)

BEGIN, END, PAD = "<BEGIN>", "<END>", "<PAD>"
OPERATOR_SYMBOLS = ("+", "-")
SYMBOLS = (*OPERATOR_SYMBOLS, " ", "=", "\n", BEGIN, END, PAD)


@dataclass(frozen=True)
class CotVocab:
    """Token ids: the digits ``0 .. modulus-1`` first (so a digit's id is its value), then the
    symbols, then the step tokens ``<1> .. <max_step>`` (synthetic/tokenizor.py
    ArithmeticTokenizer's order: digits, symbols, step tokens)."""

    modulus: int = MODULUS
    max_step: int = MAX_STEP

    @property
    def tokens(self) -> tuple[str, ...]:
        digits = tuple(str(d) for d in range(self.modulus))
        steps = tuple(f"<{k}>" for k in range(1, self.max_step + 1))
        return digits + SYMBOLS + steps

    def id(self, token: str) -> int:
        return self.tokens.index(token)

    def step_token(self, k: int) -> str:
        if not 1 <= k <= self.max_step:
            raise ValueError(f"step size {k} outside 1..{self.max_step}")
        return f"<{k}>"

    def encode(self, tokens: Sequence[str]) -> list[int]:
        lookup = {t: i for i, t in enumerate(self.tokens)}
        return [lookup[t] for t in tokens]

    def decode(self, ids: Sequence[int]) -> list[str]:
        table = self.tokens
        return [table[i] for i in ids]

    def __len__(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class ChainExpression:
    """A chain of operators, outermost first: operator ``i`` combines the digit ``operands[i]``
    with the sub-expression of operators ``i+1 ..`` (the digit ``innermost`` past the last one);
    ``digit_left[i]`` says on which side the digit stands (drawn 50/50, gen_arith_data.py)."""

    operators: tuple[str, ...]
    operands: tuple[int, ...]
    digit_left: tuple[bool, ...]
    innermost: int

    def __len__(self) -> int:
        return len(self.operators)

    def tokens(self, start: int = 0, innermost: int | None = None) -> list[str]:
        """Prefix tokens of the sub-expression of operators ``start ..``, optionally with the
        innermost digit replaced by a value already computed."""
        out = [str(self.innermost if innermost is None else innermost)]
        for i in range(len(self) - 1, start - 1, -1):
            digit = [str(self.operands[i])]
            pair = digit + [" "] + out if self.digit_left[i] else out + [" "] + digit
            out = [self.operators[i], " ", *pair]
        return out


def apply_operator(operator: str, left: int, right: int, modulus: int = MODULUS) -> int:
    if operator == "+":
        return (left + right) % modulus
    if operator == "-":
        return (left - right) % modulus
    raise ValueError(f"unknown operator {operator!r}")


def evaluate(tokens: Sequence[str], modulus: int = MODULUS) -> int:
    """Value of a prefix expression given as tokens (spaces ignored), read right to left with a
    stack, so any tree shape and depth works without recursion."""
    stack: list[int] = []
    for token in reversed([t for t in tokens if t != " "]):
        if token in OPERATOR_SYMBOLS:
            left, right = stack.pop(), stack.pop()
            stack.append(apply_operator(token, left, right, modulus))
        else:
            stack.append(int(token) % modulus)
    if len(stack) != 1:
        raise ValueError("not a single well-formed prefix expression")
    return stack[0]


@dataclass(frozen=True)
class CotStep:
    """One step: the sub-expression evaluated (with earlier results in place) and its value."""

    sub_expression: list[str]
    value: int


def cot_steps(expression: ChainExpression, k: int, modulus: int = MODULUS) -> list[CotStep]:
    """The chain of thought with ``k`` operators per step: repeatedly evaluate the innermost
    sub-expression of ``k`` operators (fewer in the last step) and substitute its value, as
    gen_arith_data.py generate_cot_steps does walking up from the deepest leaf; ``ceil(T/k)``
    steps, the last one's value being the answer."""
    if k < 1:
        raise ValueError("k must be at least 1")
    steps = []
    value = expression.innermost
    end = len(expression)
    while end > 0:
        start = max(0, end - k)
        part = ChainExpression(
            expression.operators[start:end],
            expression.operands[start:end],
            expression.digit_left[start:end],
            value,
        )
        sub = part.tokens()
        value = evaluate(sub, modulus)
        steps.append(CotStep(sub, value))
        end = start
    return steps


@dataclass(frozen=True)
class CotProblem:
    """A sampled question with its solution for step size ``k``, tokenised."""

    expression: ChainExpression
    k: int
    steps: list[CotStep]
    answer: int
    ids: list[int]
    question_len: int

    @property
    def loss_mask(self) -> list[bool]:
        """Which tokens are prediction targets. Their batch_generator sets the shifted targets
        ``y[:question_len]`` to <PAD> (ignored), i.e. tokens ``1 .. question_len`` -- the
        question and the <BEGIN> after it -- are never targets; the step token and everything
        after it are."""
        return [i > self.question_len for i in range(len(self.ids))]


def tokenize(
    expression: ChainExpression, k: int, vocab: CotVocab | None = None
) -> tuple[list[int], int, list[CotStep]]:
    """``(ids, question_len, steps)`` for ``question <BEGIN> <k> \\n (sub=value \\n)* <END>``
    (synthetic/tokenizor.py process_arithmetic_sample)."""
    vocab = vocab or CotVocab()
    steps = cot_steps(expression, k, vocab.modulus)
    question = expression.tokens()
    tokens = [*question, BEGIN, vocab.step_token(k), "\n"]
    for step in steps:
        tokens += [*step.sub_expression, "=", str(step.value), "\n"]
    tokens.append(END)
    return vocab.encode(tokens), len(question), steps


def prompt_ids(expression: ChainExpression, k: int, vocab: CotVocab | None = None) -> list[int]:
    """What the model is given at test time, ``question <BEGIN> <k>`` (synthetic/eval.py);
    greedy decoding then writes the chain of thought."""
    vocab = vocab or CotVocab()
    return vocab.encode([*expression.tokens(), BEGIN, vocab.step_token(k)])


def parse_chain(tokens: Sequence[str]) -> ChainExpression:
    """The chain expression that prefix ``tokens`` write (spaces ignored): the inverse of
    :meth:`ChainExpression.tokens`. Where the innermost operator has two digits, the left one
    is taken as its operand (the tokens are the same either way). A ``ValueError`` names what
    is not a chain."""
    symbols = [t for t in tokens if t != " "]
    if not symbols:
        raise ValueError("an empty expression")

    def end_of(start: int) -> int:
        # A prefix sub-expression ends when every operator has found its two arguments.
        need, at = 1, start
        while need:
            if at >= len(symbols):
                raise ValueError(f"{''.join(tokens)!r}: an operator lacks an argument")
            need += 1 if symbols[at] in OPERATOR_SYMBOLS else -1
            at += 1
        return at

    if end_of(0) != len(symbols):
        raise ValueError(f"{''.join(tokens)!r}: tokens left after the expression")
    operators, operands, digit_left = [], [], []
    at = 0
    while symbols[at] in OPERATOR_SYMBOLS:
        left_end = end_of(at + 1)
        right_end = end_of(left_end)
        left, right = symbols[at + 1 : left_end], symbols[left_end:right_end]
        if len(left) > 1 and len(right) > 1:
            raise ValueError(f"{''.join(tokens)!r}: an operator with two sub-expressions")
        operators.append(symbols[at])
        digit_left.append(len(left) == 1)
        operands.append(_digit(left[0] if len(left) == 1 else right[0]))
        at = at + 1 if len(left) > 1 else left_end
    innermost = _digit(symbols[at])
    return ChainExpression(tuple(operators), tuple(operands), tuple(digit_left), innermost)


def _digit(token: str) -> int:
    if not token.isdigit():
        raise ValueError(f"{token!r} is not a digit")
    return int(token)


def written_steps(ids: Sequence[int], vocab: CotVocab | None = None) -> list[list[str]]:
    """The lines ``sub_expression=value`` of a generated solution up to <END>, as tokens (the
    step token's line and empty lines left out)."""
    lines: list[list[str]] = [[]]
    for token in _until_end(ids, vocab or CotVocab()):
        if token == "\n":
            lines.append([])
        else:
            lines[-1].append(token)
    return [line for line in lines if "=" in line]


def step_is_right(line: Sequence[str], modulus: int = MODULUS) -> bool:
    """Whether a written step ``sub_expression=value`` is a chain expression followed by its own
    value (what it computes, whether or not it copied the right operands)."""
    at = line.index("=")
    try:
        parse_chain(line[:at])
    except ValueError:
        return False
    return list(line[at + 1 :]) == [str(evaluate(line[:at], modulus))]


def _until_end(ids: Sequence[int], vocab: CotVocab) -> list[str]:
    """A generated solution's tokens before its first <END> (all of them if there is none)."""
    tokens = vocab.decode(ids)
    return tokens[: tokens.index(END)] if END in tokens else tokens


def read_answer(ids: Sequence[int], vocab: CotVocab | None = None) -> int | None:
    """The final value of a generated solution (the digit after the last '=' before <END>), or
    ``None`` when there is none."""
    tokens = _until_end(ids, vocab or CotVocab())
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] == "=" and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            return int(tokens[i + 1])
    return None


def sample_expression(
    rng: np.random.Generator,
    n_operators: int,
    modulus: int = MODULUS,
    operators: Sequence[str] = OPERATORS,
) -> ChainExpression:
    """A chain of ``n_operators`` operators with uniform digits and sides
    (gen_arith_data.py generate_tree)."""
    return ChainExpression(
        operators=tuple(str(o) for o in rng.choice(list(operators), size=n_operators)),
        operands=tuple(int(d) for d in rng.integers(0, modulus, size=n_operators)),
        digit_left=tuple(bool(s) for s in rng.random(n_operators) < 0.5),
        innermost=int(rng.integers(0, modulus)),
    )


def sample_problems(
    seed: int,
    count: int,
    n_operators: int | tuple[int, int] = (MIN_OPERATORS, MAX_OPERATORS),
    step_sizes: int | Sequence[int] = STEP_SIZES,
    operators: Sequence[str] = OPERATORS,
    vocab: CotVocab | None = None,
) -> list[CotProblem]:
    """``count`` problems from ``np.random.default_rng(seed)``: T fixed or uniform on an
    inclusive range, k uniform over ``step_sizes`` (their data give each k an equal share)."""
    vocab = vocab or CotVocab()
    rng = np.random.default_rng(seed)
    lo, hi = (n_operators, n_operators) if isinstance(n_operators, int) else n_operators
    ks = [step_sizes] if isinstance(step_sizes, int) else list(step_sizes)
    problems = []
    for _ in range(count):
        t = int(rng.integers(lo, hi + 1))
        k = int(ks[rng.integers(len(ks))])
        expression = sample_expression(rng, t, vocab.modulus, operators)
        ids, question_len, steps = tokenize(expression, k, vocab)
        answer = evaluate(expression.tokens(), vocab.modulus)
        problems.append(CotProblem(expression, k, steps, answer, ids, question_len))
    return problems


def n_steps(n_operators: int, k: int) -> int:
    """Length of the chain of thought, ``ceil(T / k)``."""
    return math.ceil(n_operators / k)


def collate(problems: Sequence[CotProblem], vocab: CotVocab | None = None) -> tuple[Tensor, Tensor]:
    """Right-padded ``(ids, loss_mask)``, both ``(batch, longest)``; padding is <PAD> and never
    a target (their loss uses ignore_index = pad id)."""
    vocab = vocab or CotVocab()
    longest = max(len(p.ids) for p in problems)
    ids = torch.full((len(problems), longest), vocab.id(PAD), dtype=torch.long)
    mask = torch.zeros((len(problems), longest), dtype=torch.bool)
    for row, p in enumerate(problems):
        ids[row, : len(p.ids)] = torch.tensor(p.ids)
        mask[row, : len(p.ids)] = torch.tensor(p.loss_mask)
    return ids, mask


def next_token_targets(
    ids: Tensor, mask: Tensor, ignore_index: int = -100
) -> tuple[Tensor, Tensor]:
    """Inputs ``ids[:, :-1]`` and targets ``ids[:, 1:]``, targets outside the loss mask set to
    ``ignore_index`` (for ``F.cross_entropy``)."""
    targets = ids[:, 1:].masked_fill(~mask[:, 1:], ignore_index)
    return ids[:, :-1], targets


def solution_budget(n_operators: int, k: int) -> int:
    """Tokens a correct solution takes after the prompt, plus slack: ``\\n``, then per step a
    sub-expression of at most k operators (4 tokens each, and its first digit), ``=``, the
    value and ``\\n``, then <END>; twice that, so a wordier wrong chain is still read."""
    steps = math.ceil(n_operators / k)
    return 2 * (1 + steps * (4 * k + 4) + 1)
