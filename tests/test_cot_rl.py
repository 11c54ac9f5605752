"""The policy-gradient phase of a chain-of-thought run (Wu et al. 2025's RL claim): the
REINFORCE estimator's expectation is the gradient of the expected reward, the reward is 1
exactly when the final answer is right, a killed phase resumes bit-identically, and the
claim's criterion FAILs on null inputs and passes on a planted effect."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import torch

from simbias.analysis.cot_rl import rl_trend
from simbias.data.cot_stream import CotStream
from simbias.data.cot_tasks import (
    BEGIN,
    CotVocab,
    evaluate,
    prompt_ids,
    sample_expression,
    sample_problems,
    solution_budget,
)
from simbias.models.architectures.transformer_lm import TransformerLmParams, build
from simbias.report.claims.cot_length import fewer_steps_as_accuracy_rises
from simbias.train import policy_gradient
from simbias.train.pieces.policy_gradient import PolicyGradientParams
from simbias.train.policy_gradient import (
    answer_rewards,
    fit_policy_gradient,
    reinforce_loss,
    rollout,
    shaped_rewards,
)


def test_reinforce_expectation_is_the_analytic_gradient_of_the_expected_reward():
    # A tiny categorical policy softmax(theta) over 3 actions with fixed rewards; a batch of
    # 2 draws. Summing the estimator's gradient over every batch, weighted by its
    # probability, is exact: it must equal -grad E[r] = -pi_j (r_j - E[r]).
    theta = torch.tensor([0.3, -0.5, 1.1], dtype=torch.float64)
    rewards = torch.tensor([1.0, 0.0, 0.4], dtype=torch.float64)
    pi = theta.softmax(0)
    expected = torch.zeros(3, dtype=torch.float64)
    for pair in itertools.product(range(3), repeat=2):
        logits = theta.clone().requires_grad_(True)
        log_pi = logits.log_softmax(0)[list(pair)]
        (grad,) = torch.autograd.grad(reinforce_loss(log_pi, rewards[list(pair)]), logits)
        expected += pi[pair[0]] * pi[pair[1]] * grad
    analytic = -pi * (rewards - (pi * rewards).sum())
    torch.testing.assert_close(expected, analytic)


def test_the_reward_is_one_exactly_when_the_answer_is_right():
    vocab = CotVocab()
    problem = sample_problems(5, 1, 6, 2)[0]
    solution = problem.ids[len(prompt_ids(problem.expression, problem.k)) :]
    wrong = list(solution)
    answer_at = len(wrong) - 3  # ... '=' value '\n' <END>
    assert vocab.decode([wrong[answer_at - 1]]) == ["="]
    wrong[answer_at] = vocab.id(str((problem.answer + 1) % 10))
    unanswered = [vocab.id("\n"), vocab.id("<END>")]
    rewards = answer_rewards([solution, wrong, unanswered], [problem.answer] * 3, vocab)
    assert rewards.tolist() == [1.0, 0.0, 0.0]


def _model():
    torch.manual_seed(0)
    return build(TransformerLmParams(size=1, n_positions=128), (10,), None)


def test_a_killed_phase_resumes_bit_identically(tmp_path, monkeypatch):
    stream = CotStream(2, 4, (1, 2, 3), ("+",))
    params = PolicyGradientParams(epochs=2, steps_per_epoch=2, batch_size=4, lr=1e-3)
    whole = _model()
    history, _ = fit_policy_gradient(whole, stream, params, 7, 10, 2, tmp_path / "a", "a")

    save = policy_gradient.save_torch_atomic

    def save_then_die(path, state):
        save(path, state)
        raise KeyboardInterrupt

    monkeypatch.setattr(policy_gradient, "save_torch_atomic", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        fit_policy_gradient(_model(), stream, params, 7, 10, 2, tmp_path / "b", "b")
    monkeypatch.setattr(policy_gradient, "save_torch_atomic", save)
    resumed = _model()
    again, start = fit_policy_gradient(resumed, stream, params, 7, 10, 2, tmp_path / "b", "b")
    assert start == 1
    for key, value in whole.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key])
    drop = ["seconds"]
    assert pd.DataFrame(history).drop(columns=drop).equals(pd.DataFrame(again).drop(columns=drop))
    assert [row["epoch"] for row in history] == [3, 4]
    assert {"rl_accuracy", "rl_mean_k", "rl_mean_steps"} <= set(history[0])


def _history(accuracy, steps) -> pd.DataFrame:
    epochs = np.arange(1, len(accuracy) + 1)
    return pd.DataFrame({"rl_epoch": epochs, "rl_accuracy": accuracy, "rl_mean_steps": steps})


def test_the_criterion_passes_a_planted_effect_and_fails_nulls():
    rng = np.random.default_rng(0)
    epochs = np.linspace(0, 1, 10)
    planted = [rl_trend(_history(0.3 + 0.5 * epochs + 0.02 * rng.random(10),
                                 6 - 3 * epochs + 0.1 * rng.random(10)))
               for _ in range(5)]  # fmt: skip
    assert fewer_steps_as_accuracy_rises(planted, np.random.default_rng(0))[0]
    flat = [rl_trend(_history(0.3 + 0.5 * epochs, np.full(10, 4.0))) for _ in range(5)]
    assert not fewer_steps_as_accuracy_rises(flat, np.random.default_rng(0))[0]
    noise = [rl_trend(_history(rng.random(10), 4 + rng.random(10))) for _ in range(5)]
    assert not fewer_steps_as_accuracy_rises(noise, np.random.default_rng(0))[0]
    # Fewer steps but no accuracy gain: not the claim either.
    falling = [rl_trend(_history(0.5 - 0.2 * epochs, 6 - 3 * epochs)) for _ in range(5)]
    assert not fewer_steps_as_accuracy_rises(falling, np.random.default_rng(0))[0]


def _questions(t: int, count: int, seed: int = 3) -> tuple[torch.Tensor, list[int]]:
    vocab, rng = CotVocab(), np.random.default_rng(seed)
    expressions = [sample_expression(rng, t) for _ in range(count)]
    questions = torch.tensor([vocab.encode(e.tokens()) for e in expressions])
    return questions, [evaluate(e.tokens()) for e in expressions]


def test_a_rollout_takes_the_log_probability_of_the_k_it_sampled():
    model, steps = _model().eval(), (1, 2, 3)
    questions, answers = _questions(t=3, count=8)
    generator = torch.Generator().manual_seed(0)
    log_probs, ks, _ = rollout(model, questions, answers, 3, steps, generator)
    vocab = CotVocab()
    begin = torch.full((len(questions), 1), vocab.id(BEGIN))
    step_ids = [vocab.id(vocab.step_token(k)) for k in steps]
    with torch.no_grad():
        policy = model(torch.cat([questions, begin], 1))[:, -1, step_ids].log_softmax(-1)
    expected = policy[torch.arange(len(ks)), [steps.index(int(k)) for k in ks]]
    torch.testing.assert_close(log_probs.detach(), expected)
    assert log_probs.requires_grad  # the gradient flows through the sampled k's probability


def test_a_rollout_reads_each_chain_within_its_own_k_budget(monkeypatch):
    """Every row writes the right answer, some only after their own k's budget (inside the
    batch's longest): those are wrong, as the cot_length analysis reads them."""
    vocab, t = CotVocab(), 8
    questions, answers = _questions(t=t, count=6)

    def late_answers(model, prompt, max_new_tokens, stop_token=None):
        rows = []
        for row in range(len(prompt)):
            delay = solution_budget(t, 4) if row % 2 else 0  # '=' just past k = 4's budget
            written = [vocab.id("\n")] * delay + [vocab.id("="), vocab.id(str(answers[row]))]
            written += [stop_token] * (max_new_tokens - len(written))
            rows.append(prompt[row].tolist() + written[:max_new_tokens])
        return torch.tensor(rows)

    monkeypatch.setattr(policy_gradient, "greedy_generate", late_answers)
    _, ks, correct = rollout(_model().eval(), questions, answers, t, (1, 4),
                             torch.Generator().manual_seed(1))  # fmt: skip
    assert set(ks.tolist()) == {1, 4}  # both budgets in the batch
    within = [row % 2 == 0 or int(ks[row]) == 1 for row in range(6)]  # k = 1: a longer budget
    assert correct.tolist() == [float(w) for w in within]


def test_shuffled_rewards_keep_the_rates_and_lose_the_pairing():
    correct = torch.tensor([1.0] * 20 + [0.0] * 44)
    shuffled = shaped_rewards(correct, "shuffled", torch.Generator().manual_seed(0))
    assert shuffled.sum() == correct.sum() and not torch.equal(shuffled, correct)
    assert torch.equal(shaped_rewards(correct, "correct", torch.Generator()), correct)
    with pytest.raises(ValueError, match="unknown reward"):
        shaped_rewards(correct, "bonus", torch.Generator())


def test_one_seed_is_no_interval_and_fails():
    epochs = np.linspace(0, 1, 10)
    one = [rl_trend(_history(0.3 + 0.5 * epochs, 6 - 3 * epochs))]
    assert not fewer_steps_as_accuracy_rises(one, np.random.default_rng(0))[0]


def test_rl_from_another_runs_weights_equals_rl_after_its_own_supervised_part(
    tmp_path, monkeypatch
):
    """A regime whose phase starts from the supervised run's final weights (start_from)
    ends bit for bit where the same regime training the supervised part itself ends. (A
    network this small answers nothing right, so the reward is patched to favour the
    shortest chains, the largest k: the phase must move the weights.)"""

    def shortest_chains(chains, answers, vocab):
        shortest = min(len(chain) for chain in chains)
        return torch.tensor([float(len(chain) == shortest) for chain in chains])

    monkeypatch.setattr(policy_gradient, "answer_rewards", shortest_chains)
    import copy
    import json

    from test_cot_length_training import SPEC

    from simbias.data.base import get_generator
    from simbias.data.store import write_dataset
    from simbias.train.run import train_run

    params = {"min_operators": 2, "max_operators": 4, "step_sizes": [1, 2, 3],
              "test_operators": [2, 4], "n_test": 8}  # fmt: skip
    data = tmp_path / "data"
    write_dataset(data, "cot", get_generator("cot_arithmetic", params).generate(0), seed=0)
    rl = {"epochs": 2, "steps_per_epoch": 2, "batch_size": 4, "lr": 1e-3}
    supervised = copy.deepcopy(SPEC)
    whole = copy.deepcopy(SPEC)
    whole["regime"] = {**whole["regime"], "name": "rl", "policy_gradient": rl}
    started = copy.deepcopy(whole)
    started["regime"]["policy_gradient"] = {**rl, "start_from": SPEC["regime"]["name"]}
    started["start_from"] = str(tmp_path / "supervised")

    train_run(supervised, data, tmp_path / "supervised")
    train_run(whole, data, tmp_path / "whole")
    final = train_run(started, data, tmp_path / "started")

    ours = torch.load(tmp_path / "started" / "model.pt", weights_only=True)
    theirs = torch.load(tmp_path / "whole" / "model.pt", weights_only=True)
    for key, value in theirs.items():
        assert torch.equal(value, ours[key]), key
    before = torch.load(tmp_path / "supervised" / "model.pt", weights_only=True)
    assert any(not torch.equal(value, ours[key]) for key, value in before.items())  # RL ran
    drop = ["seconds"]
    history = pd.read_csv(tmp_path / "started" / "history.csv").drop(columns=drop)
    assert history.equals(pd.read_csv(tmp_path / "whole" / "history.csv").drop(columns=drop))
    reference = json.loads((tmp_path / "whole" / "final.json").read_text())
    for key in ("test_loss", "rl_accuracy", "rl_mean_steps", "steps", "rl_steps"):
        assert final[key] == reference[key], key


def test_the_plan_trains_the_rl_regimes_after_the_runs_they_start_from(repo):
    import copy

    from simbias.plan import ConfigError, Plan, load_config, validate

    tiny = load_config(repo / "configs" / "tiny.yaml")
    plan = Plan.build(tiny)
    for regime in ("cot_adamw_rl", "cot_adamw_rl_shuffled"):
        group = f"cot_arithmetic/cot_gpt2_m2/{regime}"
        assert plan.group_starts(group) == ["results/runs/cot_arithmetic/cot_gpt2_m2/cot_adamw"]
        seeds = [spec["start_from"] for spec in plan.groups[group]["runs"]]
        assert seeds == [
            f"results/runs/cot_arithmetic/cot_gpt2_m2/cot_adamw/seed{s}" for s in (0, 1)
        ]
    assert plan.group_starts("cot_arithmetic/cot_gpt2_m2/cot_adamw") == []

    alone = copy.deepcopy(tiny)
    alone["experiments"]["cot_length_m2"]["enabled"] = False
    with pytest.raises(ConfigError, match="starts from cot_adamw, but no enabled experiment"):
        validate(alone)
    other = copy.deepcopy(tiny)
    other["experiments"]["cot_rl_m2"]["train"] = {**other["experiments"]["cot_rl_m2"]["train"],
                                                  "epochs": 3}  # fmt: skip
    with pytest.raises(ConfigError, match="whose train settings differ"):
        validate(other)
