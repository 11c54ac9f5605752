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
from simbias.data.cot_tasks import CotVocab, prompt_ids, sample_problems
from simbias.models.architectures.transformer_lm import TransformerLmParams, build
from simbias.report.claims.cot_length import fewer_steps_as_accuracy_rises
from simbias.train import policy_gradient
from simbias.train.pieces.policy_gradient import PolicyGradientParams
from simbias.train.policy_gradient import answer_rewards, fit_policy_gradient, reinforce_loss


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
