"""Adversarial examples: in the ball and the input range, stronger than clean, side-effect free."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from simbias.train.adversarial import Attack, perturb, robust_accuracy

EPS = {"linf": 0.05, "l2": 0.5}
ATTACKS = {
    "pgd-linf": Attack(
        kind="pgd", norm="linf", eps=EPS["linf"], step_size=0.02, steps=5, clip=(0.0, 1.0)
    ),
    "pgd-l2": Attack(kind="pgd", norm="l2", eps=EPS["l2"], step_size=0.2, steps=5, clip=(0.0, 1.0)),
    "fgsm": Attack(kind="fgsm", norm="linf", eps=EPS["linf"], clip=(0.0, 1.0)),
}


def cnn(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 6 * 6, 3),
    )


@pytest.fixture
def data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(32, 1, 6, 6, generator=generator)
    x[:4] = 0.0  # examples on the edge of the valid range exercise the clip
    x[4:8] = 1.0
    return x, torch.randint(0, 3, (32,), generator=generator)


@pytest.fixture
def model(data) -> nn.Module:
    """A CNN trained a few steps, so that clean accuracy is above chance."""
    net = cnn()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    x, y = data
    for _ in range(30):
        optimizer.zero_grad()
        F.cross_entropy(net(x), y).backward()
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return net


@pytest.mark.parametrize("name", ATTACKS)
def test_perturbation_stays_in_the_ball_and_the_input_range(model, data, name):
    attack = ATTACKS[name]
    x, y = data
    delta = perturb(model, x, y, attack, torch.Generator().manual_seed(1)) - x
    if attack.norm == "linf":
        assert delta.abs().max() <= attack.eps + 1e-6
    else:
        assert torch.linalg.vector_norm(delta.flatten(1), dim=1).max() <= attack.eps + 1e-5
    assert ((x + delta) >= 0).all() and ((x + delta) <= 1).all()
    assert delta.abs().max() > 0


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_raises_the_loss(model, data, name):
    x, y = data
    x_adv = perturb(model, x, y, ATTACKS[name], torch.Generator().manual_seed(1))
    model.eval()
    with torch.no_grad():
        assert F.cross_entropy(model(x_adv), y) >= F.cross_entropy(model(x), y)


def test_perturb_leaves_grads_mode_and_bn_stats_alone(model, data):
    x, y = data
    model.train()
    stats = [b.clone() for b in model.buffers()]
    x_adv = perturb(model, x, y, ATTACKS["pgd-linf"])
    assert not x_adv.requires_grad
    assert all(p.grad is None for p in model.parameters())
    assert model.training and all(m.training for m in model.modules())
    assert all(torch.equal(a, b) for a, b in zip(model.buffers(), stats, strict=True))
    model.eval()
    perturb(model, x, y, ATTACKS["pgd-l2"])
    assert not model.training


@pytest.mark.parametrize("name", ATTACKS)
def test_same_generator_seed_gives_the_same_examples(model, data, name):
    x, y = data
    first = perturb(model, x, y, ATTACKS[name], torch.Generator().manual_seed(7))
    again = perturb(model, x, y, ATTACKS[name], torch.Generator().manual_seed(7))
    other = perturb(model, x, y, ATTACKS[name], torch.Generator().manual_seed(8))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_robust_accuracy_is_at_most_clean_accuracy(model, data):
    x, y = data
    model.eval()
    with torch.no_grad():
        clean = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    robust = robust_accuracy(model, x, y, ATTACKS["pgd-linf"], batch_size=10)
    assert 0.0 <= robust <= clean
    assert model.training


def test_fgsm_without_random_start_is_one_signed_step(model, data):
    x, y = data
    attack = Attack(kind="fgsm", norm="linf", eps=0.03, random_start=False)
    assert attack.step_size == pytest.approx(1.25 * 0.03)
    delta = perturb(model, x, y, attack) - x
    # From zero, one step of 1.25 eps clamped to eps: every coordinate with a gradient is at +-eps.
    assert torch.isclose(delta.abs(), torch.tensor(0.03)).float().mean() > 0.5


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"kind": "cw", "norm": "linf", "eps": 0.1}, "kind"),
        ({"kind": "pgd", "norm": "l1", "eps": 0.1}, "norm"),
        ({"kind": "fgsm", "norm": "l2", "eps": 0.1}, "norm"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.0}, "eps"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "step_size": -1.0}, "step_size"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "steps": 0}, "steps"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "steps": 2.5}, "steps"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "random_start": "yes"}, "random_start"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "clip": (1.0, 0.0)}, "clip"),
        ({"kind": "pgd", "norm": "linf", "eps": 0.1, "clip": (0.0,)}, "clip"),
    ],
)
def test_invalid_fields_are_named(settings, field):
    with pytest.raises(ValueError, match=field):
        Attack.from_dict(settings)


def test_from_dict_refuses_unknown_keys_and_defaults_the_step_size():
    with pytest.raises(ValueError, match="epsilon"):
        Attack.from_dict({"kind": "pgd", "norm": "linf", "epsilon": 0.1})
    with pytest.raises(ValueError, match="eps"):
        Attack.from_dict({"kind": "pgd", "norm": "linf"})
    attack = Attack.from_dict({"kind": "pgd", "norm": "l2", "eps": 1.0, "steps": 5, "clip": [0, 1]})
    assert attack.step_size == pytest.approx(2.5 * 1.0 / 5)
    assert attack.clip == (0, 1)
    hash(attack)
