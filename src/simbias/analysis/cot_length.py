"""Chain-of-thought length measured (Wu et al. 2025, "When More is Less"; code
acetocarmine11/cot-length synthetic/eval.py): a trained language model is prompted with a
held-out question, <BEGIN> and a step-size token <k>, writes its chain of thought by greedy
decoding with the KV cache, and is right when the final value it writes is the answer.

Per run, for every T of the held-out questions and every k: ``{predictor}_T{T}k{k}accuracy``
(the share of the questions answered right), ``..copy`` and ``..arithmetic`` (whether the
chains read the right operands, and whether each step's value is its own sub-expression's:
see :func:`chain_scores`) for the trained network (``trained``) and the same network at its
seed's initial weights (``untrained``), and ``questions_T{T}count``.
Decoding with the cache is checked against decoding without it on the first
``cache_checks`` questions of every (T, k): a mismatch stops the analysis.
"""

from __future__ import annotations

import numpy as np
import torch

from simbias.data.base import Split
from simbias.data.cot_tasks import (
    BEGIN,
    END,
    CotVocab,
    cot_steps,
    parse_chain,
    read_answer,
    solution_budget,
    step_is_right,
    written_steps,
)
from simbias.models.transformer import LanguageModel, greedy_generate


class CacheMismatchError(RuntimeError):
    """Greedy decoding with the KV cache wrote other tokens than without it."""


@torch.no_grad()
def chain_scores(
    model: LanguageModel,
    questions: torch.Tensor,
    answers: torch.Tensor,
    n_operators: int,
    k: int,
    cache_checks: int = 0,
    chunk_size: int = 256,
) -> dict[str, float]:
    """Greedy chains of thought with step size ``k`` for ``questions`` (token ids
    ``(n, 4T + 1)``, all of ``n_operators``), scored three ways: ``accuracy``, the share ending
    in the right answer; ``copy``, the share whose first step writes the right sub-expression
    (read off the question); ``arithmetic``, the share of all written steps that are a chain
    expression followed by its own value (0 where none is written). A chain can fail by reading
    the wrong operands or by adding them wrongly; the last two say which."""
    vocab = CotVocab()
    model.eval()
    suffix = torch.tensor(vocab.encode([BEGIN, vocab.step_token(k)]), device=questions.device)
    prompts = torch.cat([questions, suffix.expand(len(questions), -1)], dim=1)
    budget = solution_budget(n_operators, k)
    stop = vocab.id(END)
    correct = copied = steps_right = steps = 0
    for start in range(0, len(prompts), chunk_size):
        chunk = prompts[start : start + chunk_size]
        written = greedy_generate(model.backbone, chunk, budget, stop_token=stop)
        if start == 0 and cache_checks:
            reference = greedy_generate(
                model.backbone, chunk[:cache_checks], budget, use_cache=False, stop_token=stop
            )
            if not torch.equal(reference, written[:cache_checks, : reference.shape[1]]):
                raise CacheMismatchError(f"T {n_operators}, k {k}: cached decoding differs")
        for row, ids in enumerate(written[:, prompts.shape[1] :].tolist()):
            correct += read_answer(ids, vocab) == int(answers[start + row])
            lines = written_steps(ids, vocab)
            question = parse_chain(vocab.decode(questions[start + row].tolist()))
            first = cot_steps(question, k, vocab.modulus)[0].sub_expression
            copied += bool(lines) and lines[0][: lines[0].index("=")] == first
            steps_right += sum(step_is_right(line, vocab.modulus) for line in lines)
            steps += len(lines)
    n = len(prompts)
    return {
        "accuracy": correct / n,
        "copy": copied / n,
        "arithmetic": steps_right / steps if steps else 0.0,
    }


def question_ids(
    test: Split, n_operators: int, count: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``count`` held-out questions of ``n_operators`` operators (their tokens
    before <BEGIN>) and their answers."""
    rows = np.flatnonzero(test.attributes["n_operators"] == n_operators)[:count]
    length = int(test.attributes["question_len"][rows[0]])
    ids = torch.from_numpy(test.x[rows, :length].astype(np.int64))
    return ids, torch.from_numpy(test.y[rows].astype(np.int64))


def cot_length_analysis(
    networks: dict[str, LanguageModel],
    test: Split,
    step_sizes: list[int],
    questions: int | None,
    cache_checks: int,
    device: str,
) -> dict[str, float]:
    """Accuracy per predictor, T and k (see the module doc)."""
    out: dict[str, float] = {}
    for n_operators in sorted({int(t) for t in test.attributes["n_operators"]}):
        ids, answers = question_ids(test, n_operators, questions)
        out[f"questions_T{n_operators}count"] = float(len(ids))
        for name, model in networks.items():
            for k in step_sizes:
                scores = chain_scores(model, ids.to(device), answers, n_operators, k, cache_checks)
                for score, value in scores.items():
                    out[f"{name}_T{n_operators}k{k}{score}"] = value
    return out
