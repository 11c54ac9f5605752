"""The cot_length analysis and claims (Wu et al. 2025): decoding with the KV cache equals
decoding without it inside the evaluation, a planted solver scores what it should, and every
criterion FAILs on a null input."""

from __future__ import annotations

import math

import numpy as np
import torch

from simbias.analysis.cot_length import answer_accuracy
from simbias.data.cot_tasks import prompt_ids, sample_problems, solution_budget
from simbias.models.architectures.transformer_lm import TransformerLmParams, build
from simbias.report.claims.cot_length import (
    above_zero,
    bootstrap_curves,
    inverted_u,
    optimal_steps,
)


def _questions(n_operators: int, count: int = 6):
    problems = sample_problems(3, count, n_operators, 1)
    ids = torch.tensor([p.ids[: p.question_len] for p in problems])
    return problems, ids, torch.tensor([p.answer for p in problems])


def test_cached_decoding_equals_uncached_inside_the_evaluation():
    torch.manual_seed(0)
    model = build(TransformerLmParams(size=1, n_positions=256), (10,), None)
    _, ids, answers = _questions(4)
    # Raises CacheMismatchError if the two decodings differ on any checked question.
    accuracy = answer_accuracy(model, ids, answers, 4, 2, cache_checks=len(ids))
    assert 0.0 <= accuracy <= 1.0


def test_the_budget_holds_a_correct_solution():
    for t, k in [(4, 1), (16, 3), (80, 12)]:
        problem = sample_problems(0, 1, t, k)[0]
        written = len(problem.ids) - len(prompt_ids(problem.expression, k))
        assert written <= solution_budget(t, k)


def test_a_planted_solver_scores_one_and_a_shifted_key_zero(monkeypatch):
    """Decoding replaced by one that writes each question's gold solution."""
    import simbias.analysis.cot_length as analysis

    problems, ids, answers = _questions(5)
    k = 2
    solutions = [sample_problems(3, 6, 5, k)[i].ids for i in range(6)]

    def planted(model, prompt, max_new_tokens, use_cache=True, stop_token=None):
        longest = max(len(s) for s in solutions)
        out = torch.full((len(prompt), longest), stop_token)
        for row, s in enumerate(solutions[: len(prompt)]):
            out[row, : len(s)] = torch.tensor(s)
        return out

    monkeypatch.setattr(analysis, "greedy_generate", planted)
    model = build(TransformerLmParams(size=1, n_positions=256), (10,), None)
    assert answer_accuracy(model, ids, answers, 5, k) == 1.0
    assert answer_accuracy(model, ids, (answers + 1) % 10, 5, k) == 0.0


def test_an_inverted_u_passes_and_flat_or_monotone_curves_fail():
    rng = np.random.default_rng(0)
    u = np.tile([0.3, 0.9, 0.4], (5, 1))
    passed, best, _ = inverted_u(bootstrap_curves(u, 100, rng), u.mean(0))
    assert passed and best == 1
    for null in (np.full((5, 3), 0.5), np.tile([0.2, 0.5, 0.9], (5, 1)), np.zeros((5, 3))):
        assert not inverted_u(bootstrap_curves(null, 100, rng), null.mean(0))[0]


def test_steps_criteria_fail_on_nulls():
    rng = np.random.default_rng(0)
    ks = [1, 2, 3, 4]
    flat = np.full((5, 4), 0.1)
    # Null 1: accuracy flat (an untrained model): the optimum is arbitrary.
    small_t = optimal_steps(bootstrap_curves(flat, 100, rng), ks, 8, rng)
    large_t = optimal_steps(bootstrap_curves(flat, 100, rng), ks, 16, rng)
    assert not above_zero(large_t - small_t)[0]
    # Null 2: the optimal k grows in proportion to T, so the optimal number of steps does not.
    at_8 = np.tile([0.2, 0.9, 0.3, 0.1], (5, 1))  # k* = 2: 4 steps
    at_16 = np.tile([0.1, 0.2, 0.3, 0.9], (5, 1))  # k* = 4: 4 steps
    small_t = optimal_steps(bootstrap_curves(at_8, 100, rng), ks, 8, rng)
    large_t = optimal_steps(bootstrap_curves(at_16, 100, rng), ks, 16, rng)
    assert not above_zero(large_t - small_t)[0]
    # Null 3: two models with the same table: neither needs fewer steps.
    a = optimal_steps(bootstrap_curves(at_8, 100, rng), ks, 8, rng)
    b = optimal_steps(bootstrap_curves(at_8, 100, rng), ks, 8, rng)
    assert not above_zero(a - b)[0]
    # And a real shift passes: k* 1 (8 steps) against k* 4 (2 steps).
    few = np.tile([0.1, 0.2, 0.3, 0.9], (5, 1))
    many = np.tile([0.9, 0.2, 0.2, 0.1], (5, 1))
    steps_many = optimal_steps(bootstrap_curves(many, 100, rng), ks, 8, rng)
    steps_few = optimal_steps(bootstrap_curves(few, 100, rng), ks, 8, rng)
    assert above_zero(steps_many - steps_few)[0] and math.isclose(steps_few.mean(), 2)


def test_the_plan_analyses_exactly_the_cot_runs():
    from simbias.plan import load_config
    from simbias.plan.validate import plan_checked

    plan = plan_checked(load_config("configs/tiny.yaml"))
    for name, model in (("cot_length_m2", "cot_gpt2_m2"), ("cot_length_m4", "cot_gpt2_m4")):
        targets = plan.experiment_targets(name)
        analyses = [t for t in targets if t.startswith("results/analysis/")]
        assert analyses == ["results/analysis/cot_length/cot_arithmetic"]
        runs = [t for t in targets if t.startswith("results/runs/")]
        assert runs == [f"results/runs/cot_arithmetic/{model}/cot_adamw"]
    # The atlas also measures the RL experiment's runs (cot_rl_m2; tiny switches cot_rl_m4
    # off): their models answer held-out questions as every chain-of-thought run does.
    assert plan.analysis_groups("cot_length", "cot_arithmetic") == [
        "cot_arithmetic/cot_gpt2_m2/cot_adamw",
        "cot_arithmetic/cot_gpt2_m2/cot_adamw_rl",
        "cot_arithmetic/cot_gpt2_m2/cot_adamw_rl_shuffled",
        "cot_arithmetic/cot_gpt2_m4/cot_adamw",
    ]
