"""The cot_length analysis and claims (Wu et al. 2025): decoding with the KV cache equals
decoding without it inside the evaluation, a planted solver scores what it should, and every
criterion FAILs on a null input."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import torch

from simbias.analysis.cot_length import chain_scores
from simbias.data.cot_tasks import (
    BEGIN,
    END,
    CotVocab,
    cot_steps,
    prompt_ids,
    sample_problems,
    solution_budget,
)
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
    scores = chain_scores(model, ids, answers, 4, 2, cache_checks=len(ids))
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_the_budget_holds_a_correct_solution():
    for t, k in [(4, 1), (16, 3), (80, 12)]:
        problem = sample_problems(0, 1, t, k)[0]
        written = len(problem.ids) - len(prompt_ids(problem.expression, k))
        assert written <= solution_budget(t, k)


def _scores(accuracy: float, copy: float, arithmetic: float) -> dict[str, float]:
    return {"accuracy": accuracy, "copy": copy, "arithmetic": arithmetic}


def _plant(monkeypatch, solutions):
    """Decoding replaced by one that writes the given token ids for each question."""
    import simbias.analysis.cot_length as analysis

    def planted(model, prompt, max_new_tokens, use_cache=True, stop_token=None):
        longest = max(len(s) for s in solutions)
        out = torch.full((len(prompt), longest), stop_token)
        for row, s in enumerate(solutions[: len(prompt)]):
            out[row, : len(s)] = torch.tensor(s)
        return out

    monkeypatch.setattr(analysis, "greedy_generate", planted)


def test_a_planted_solver_scores_one_and_a_shifted_key_zero(monkeypatch):
    problems, ids, answers = _questions(5)
    k = 2
    _plant(monkeypatch, [p.ids for p in sample_problems(3, 6, 5, k)])
    model = build(TransformerLmParams(size=1, n_positions=256), (10,), None)
    assert chain_scores(model, ids, answers, 5, k) == _scores(1.0, 1.0, 1.0)
    shifted = chain_scores(model, ids, (answers + 1) % 10, 5, k)
    assert shifted == _scores(0.0, 1.0, 1.0)


def test_copy_and_arithmetic_say_why_a_chain_fails(monkeypatch):
    """Chains that read every operand right but write wrong sums, and chains that add right but
    read a wrong operand in the first step, fail for the reason each score names."""
    vocab = CotVocab()
    k = 2
    problems, ids, answers = _questions(5)
    model = build(TransformerLmParams(size=1, n_positions=256), (10,), None)

    def chain(problem, lines):
        tokens = [*vocab.decode(problem.ids[: problem.question_len]), BEGIN, f"<{k}>", "\n"]
        for line in lines:
            tokens += [*line, "\n"]
        return vocab.encode([*tokens, END])

    def bad_sums(problem):  # the gold sub-expressions (later ones with the gold values), sums + 1
        return [[*s.sub_expression, "=", str((s.value + 1) % 10)] for s in problem.steps]

    def misread(problem):  # first operand read one off, every sum right for what is written
        expression = problem.expression
        wrong = dataclasses.replace(expression, innermost=(expression.innermost + 1) % 10)
        return [[*s.sub_expression, "=", str(s.value)] for s in cot_steps(wrong, k)]

    gold = sample_problems(3, 6, 5, k)
    _plant(monkeypatch, [chain(p, bad_sums(p)) for p in gold])
    assert chain_scores(model, ids, answers, 5, k) == _scores(0.0, 1.0, 0.0)
    _plant(monkeypatch, [chain(p, misread(p)) for p in gold])
    assert chain_scores(model, ids, answers, 5, k) == _scores(0.0, 0.0, 1.0)
    # Nothing written: no step to score, and none is counted right.
    _plant(monkeypatch, [vocab.encode([END]) for _ in gold])
    assert chain_scores(model, ids, answers, 5, k) == _scores(0.0, 0.0, 0.0)


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


def test_a_model_at_chance_fails_every_shape_criterion():
    """Accuracy no better than guessing (1 in 10) with an interior bump and a growing optimum:
    the shape alone would pass, the chance requirement fails it; the same shape well above
    chance passes."""
    from simbias.report.claims.cot_length import CHANCE, above_chance

    rng = np.random.default_rng(0)
    at_chance = np.tile([0.0, CHANCE, 0.0], (5, 1))
    curves = bootstrap_curves(at_chance, 1000, rng)
    shaped, best, _ = inverted_u(curves, at_chance.mean(0))
    assert shaped and best == 1
    assert not above_chance(curves, best)[0]
    learned = np.tile([0.3, 0.9, 0.4], (5, 1))
    assert above_chance(bootstrap_curves(learned, 100, rng), 1)[0]


def _cot_summary(trained: dict[int, list[float]]) -> pd.DataFrame:
    """The cot_length analysis's long-form rows over five seeds, 100 questions per T: the
    trained network's accuracies per (T, k) as given (its first steps copied at 0.96, its steps'
    sums right at 0.37), the untrained one's at 0."""
    from simbias.report.tables import summarise_metrics

    rows = []
    for seed in range(5):
        for t, accuracies in trained.items():
            values = {("questions", f"T{t}count"): 100.0}
            for k, accuracy in enumerate(accuracies, start=1):
                values["trained", f"T{t}k{k}accuracy"] = accuracy
                values["trained", f"T{t}k{k}copy"] = 0.96
                values["trained", f"T{t}k{k}arithmetic"] = 0.37
                for score in ("accuracy", "copy", "arithmetic"):
                    values["untrained", f"T{t}k{k}{score}"] = 0.0
            for (split, metric), value in values.items():
                rows.append({"experiment": "cot", "dataset": "c", "model": "m",
                             "regime": "cot_adamw", "seed": seed, "split": split,
                             "metric": metric, "key": f"{split}_{metric}",
                             "value": value})  # fmt: skip
    return summarise_metrics(pd.DataFrame(rows))


def test_the_claims_table_needs_answers_above_chance():
    """An inverted U whose optimum grows with T passes both rows; the same shapes scaled to
    0.1 at best (chance) fail them. The untrained control (at 0) fails throughout."""
    from simbias.report.claims import Evidence, check_claims

    claims = ["cot_accuracy_inverted_u", "cot_optimal_steps_grow_with_t"]
    untrained = {"what": "untrained", "claim_predictor": "untrained"}
    experiments = {"cot": {"dataset": "c", "model": "m", "regimes": ["cot_adamw"],
                           "claims": claims,
                           "controls": {claim: untrained for claim in claims}}}  # fmt: skip
    shapes = {8: [0.6, 0.9, 0.5, 0.3], 16: [0.3, 0.5, 0.9, 0.2]}
    for scale, verdict in ((1.0, "PASS"), (1 / 9, "FAIL")):
        table = {t: [scale * a for a in accuracies] for t, accuracies in shapes.items()}
        evidence = Evidence(summaries={"cot_length": _cot_summary(table)})
        table = check_claims(evidence, experiments).set_index("check")
        for claim in claims:
            row = table.loc[claim]
            assert row["verdict"] == verdict and row["control_verdict"] == "FAIL", row
        # The inverted-U row says why chains fail (at T = 16, the mean over k of each score).
        measured = table.loc["cot_accuracy_inverted_u", "measured"]
        assert "first step copied 0.96, steps' sums right 0.37" in measured
