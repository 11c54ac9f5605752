"""REINFORCE on a chain-of-thought model's own choice of step size (Wu et al. 2025, "When
More is Less": "models gravitate towards shorter CoTs as their accuracy improves" under RL,
arXiv 2502.07266 abstract). Their code (acetocarmine11/cot-length) has no RL, and the paper
shows its RL evidence on pretrained LLMs, not on the synthetic task; so the choices here are
the standard ones, each said where it is made:

* the policy is the model's distribution over the step tokens of the training data after
  ``question <BEGIN>`` (renormalised over them: any other token is no chain the task reads);
  k is sampled from it, so exploration is the model's own uncertainty, nothing added;
* the chain is then written greedily, as their evaluation does (synthetic/eval.py
  do_sample=False) and as the cot_length analysis measures it: the one decision about the
  CoT's length is k, so REINFORCE acts on the log-probability of the sampled k alone and the
  accuracy recorded is the cot_length analysis's accuracy at the chosen k (sampling every
  chain token would put one reward's credit on hundreds of arithmetic tokens);
* reward 1 if the final answer is right, else 0 (rule-based outcome reward); the baseline
  is the mean reward of the batch's other questions (leave-one-out: unbiased, Kool et al.
  2019), the loss ``-mean((r - b) log p(k))``, one Adam step per batch;
* every question of a step has the step's one T (drawn uniformly from the stream's range),
  so prompts have one length and the baseline is a same-difficulty mean.

Step ``t`` of the phase draws its questions and its samples from ``step_seed(seed, first +
t)``, ``first`` the supervised steps (so no question repeats a supervised batch's draw) --
as simbias.train.stream_fit draws batches -- and a checkpoint is written every RL epoch:
a resumed run is bit-identical on CPU.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from simbias.data.cot_stream import CotStream
from simbias.data.cot_tasks import (
    BEGIN,
    END,
    CotVocab,
    evaluate,
    n_steps,
    read_answer,
    sample_expression,
    solution_budget,
)
from simbias.data.prompt_stream import step_seed
from simbias.io import save_torch_atomic
from simbias.models.transformer import LanguageModel, greedy_generate
from simbias.train.engine import CHECKPOINT_NAME, load_checkpoint
from simbias.train.pieces.policy_gradient import PolicyGradientParams

#: The phase's scratch directory under a run's work directory (its checkpoint).
SCRATCH = "policy_gradient"


def reinforce_loss(log_probs: Tensor, rewards: Tensor) -> Tensor:
    """``-mean((r_i - b_i) log p_i)``, ``b_i`` the mean reward of the other rows: its
    gradient is an unbiased estimate of minus the gradient of the expected reward."""
    n = len(rewards)
    baseline = (rewards.sum() - rewards) / (n - 1)
    return -((rewards - baseline).detach() * log_probs).mean()


def answer_rewards(written: list[list[int]], answers: list[int], vocab: CotVocab) -> Tensor:
    """1.0 where the generated tokens' final answer (``read_answer``) is right, else 0.0."""
    return torch.tensor(
        [float(read_answer(ids, vocab) == a) for ids, a in zip(written, answers, strict=True)]
    )


def shaped_rewards(correct: Tensor, kind: str, generator: torch.Generator) -> Tensor:
    """The rewards of ``kind`` (PolicyGradientParams.reward) from the correctness."""
    if kind == "correct":
        return correct
    if kind == "shuffled":  # same rates, independent of the k each row chose
        return correct[torch.randperm(len(correct), generator=generator)]
    raise ValueError(f"unknown reward {kind!r}")


def rollout(
    model: LanguageModel,
    questions: Tensor,
    answers: list[int],
    n_operators: int,
    step_sizes: tuple[int, ...],
    generator: torch.Generator,
) -> tuple[Tensor, Tensor, Tensor]:
    """Sample k per question from the model (with gradient), write the chains greedily:
    ``(log p(k), k, correct)``, one each per row of ``questions`` ``(n, 4T + 1)``. The
    model is in eval mode (fit_policy_gradient: no dropout)."""
    vocab = CotVocab()
    device = questions.device
    step_ids = torch.tensor([vocab.id(vocab.step_token(k)) for k in step_sizes], device=device)
    begin = torch.full((len(questions), 1), vocab.id(BEGIN), device=device)
    prompts = torch.cat([questions, begin], dim=1)
    log_probs = model(prompts)[:, -1, step_ids].log_softmax(dim=-1)
    # Sampled on the CPU from the step's generator: the same draw on every device.
    choice = torch.multinomial(log_probs.detach().exp().cpu(), 1, generator=generator)[:, 0]
    chosen = log_probs.gather(1, choice.to(device)[:, None])[:, 0]
    ks = torch.tensor(step_sizes)[choice]
    full = torch.cat([prompts, step_ids[choice.to(device)][:, None]], dim=1)
    budgets = [solution_budget(n_operators, int(k)) for k in ks]
    written = greedy_generate(model.backbone, full, max(budgets), stop_token=vocab.id(END))
    # Each row read within its own k's budget, as the cot_length analysis reads it: a chain
    # that has not ended by then is wrong, whatever it writes in the batch's longer budget.
    chains = [row[full.shape[1] : full.shape[1] + b] for row, b in zip(
        written.tolist(), budgets, strict=True)]  # fmt: skip
    return chosen, ks, answer_rewards(chains, answers, vocab)


def step_questions(stream: CotStream, seed: int, step: int) -> tuple[np.random.Generator, int]:
    """The step's generator (``step_seed``) and its T, uniform on the stream's range."""
    rng = np.random.default_rng(step_seed(seed, step))
    return rng, int(rng.integers(stream.min_operators, stream.max_operators + 1))


def policy_gradient_step(
    model: LanguageModel,
    optimizer: torch.optim.Optimizer,
    stream: CotStream,
    params: PolicyGradientParams,
    seed: int,
    step: int,
) -> dict[str, float]:
    """One REINFORCE step on step ``step``'s questions; what it measured (on the host)."""
    vocab = CotVocab()
    device = next(model.parameters()).device
    rng, t = step_questions(stream, seed, step)
    expressions = [sample_expression(rng, t, vocab.modulus, stream.operators)
                   for _ in range(params.batch_size)]  # fmt: skip
    questions = torch.tensor([vocab.encode(e.tokens()) for e in expressions], device=device)
    answers = [evaluate(e.tokens(), vocab.modulus) for e in expressions]
    generator = torch.Generator().manual_seed(int(rng.integers(2**63)))
    log_probs, ks, correct = rollout(model, questions, answers, t, stream.step_sizes, generator)
    rewards = shaped_rewards(correct, params.reward, generator)
    loss = reinforce_loss(log_probs, rewards.to(device))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return {
        "rl_accuracy": float(correct.mean()),
        "rl_reward": float(rewards.mean()),
        "rl_mean_k": float(ks.float().mean()),
        "rl_mean_steps": float(np.mean([n_steps(t, int(k)) for k in ks])),
        "rl_loss": float(loss.detach()),
    }


def fit_policy_gradient(
    model: LanguageModel,
    stream: CotStream,
    params: PolicyGradientParams,
    seed: int,
    first_step: int,
    first_epoch: int,
    work_dir: str | Path,
    run_name: str,
    fingerprint: Any = None,
) -> tuple[list[dict[str, float]], int]:
    """Train ``model`` in place for ``params.epochs`` RL epochs, resuming from the phase's
    checkpoint in ``work_dir``; its history rows (``epoch`` counts on from ``first_epoch``,
    the supervised epochs) and the RL epoch it resumed from."""
    optimizer = torch.optim.Adam(model.parameters(), lr=params.lr)
    path = Path(work_dir) / SCRATCH / CHECKPOINT_NAME
    identity = {"piece": params.to_dict(), "seed": seed, "fingerprint": fingerprint}
    device = next(model.parameters()).device
    history: list[dict[str, float]] = []
    start = 0
    state = load_checkpoint(path, device, identity, run_name)
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        history, start = list(state["history"]), int(state["epoch"])
    # Dropout off for the whole phase: the log-probability the gradient is of is that of the
    # policy k was sampled from, and no draw from the global generator (which the checkpoint
    # does not hold) breaks a resumed run's bit-identity.
    model.eval()
    for epoch in range(start, params.epochs):
        started = time.perf_counter()
        steps = [
            policy_gradient_step(model, optimizer, stream, params, seed,
                                 first_step + epoch * params.steps_per_epoch + step)
            for step in range(params.steps_per_epoch)
        ]  # fmt: skip
        row = {"epoch": first_epoch + epoch + 1, "rl_epoch": epoch + 1, "lr": params.lr}
        row.update({key: float(np.mean([s[key] for s in steps])) for key in steps[0]})
        row["seconds"] = time.perf_counter() - started
        history.append(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_torch_atomic(path, {
            "identity": identity, "model": model.state_dict(),
            "optimizer": optimizer.state_dict(), "history": history, "epoch": epoch + 1,
        })  # fmt: skip
    return history, start
