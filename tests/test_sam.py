"""SAM/ASAM: one step against the maths, exact restore, frozen BN stats, resume, LR schedule."""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from simbias.train.sam import SAM, bn_stats_frozen

RHO = 0.05
LR = 0.1


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def batch(seed: int = 1, n: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=generator), torch.randint(0, 2, (n,), generator=generator)


def grads_at(model: nn.Module, weights: list[torch.Tensor], x, y) -> list[torch.Tensor]:
    """grad of the loss at ``weights``, evaluated functionally on ``model``'s architecture."""
    names = [name for name, _ in model.named_parameters()]
    leaves = [w.detach().clone().requires_grad_(True) for w in weights]
    logits = torch.func.functional_call(model, dict(zip(names, leaves, strict=True)), (x,))
    return list(torch.autograd.grad(F.cross_entropy(logits, y), leaves))


def joint_norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.flatten() for t in tensors]).norm()


def sam_update(model: nn.Module, optimizer: SAM, x, y) -> None:
    """One SAM update the way the engine does it, with first_step/second_step."""
    optimizer.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    optimizer.first_step(zero_grad=True)
    with bn_stats_frozen(model):
        F.cross_entropy(model(x), y).backward()
    optimizer.second_step()


def test_sam_step_matches_the_update_by_hand():
    model, (x, y) = mlp(), batch()
    w = [p.detach().clone() for p in model.parameters()]
    g1 = grads_at(model, w, x, y)
    e = [RHO * g / joint_norm(g1) for g in g1]
    g2 = grads_at(model, [wi + ei for wi, ei in zip(w, e, strict=True)], x, y)
    expected = [wi - LR * gi for wi, gi in zip(w, g2, strict=True)]

    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, lr=LR)
    sam_update(model, optimizer, x, y)
    for p, want in zip(model.parameters(), expected, strict=True):
        torch.testing.assert_close(p.detach(), want)
    # The update differs from plain SGD's w - lr * g1.
    assert not torch.allclose(model[0].weight, w[0] - LR * g1[0])


def test_asam_step_matches_the_update_by_hand():
    model, (x, y) = mlp(), batch()
    w = [p.detach().clone() for p in model.parameters()]
    g1 = grads_at(model, w, x, y)
    scale = RHO / joint_norm([wi * gi for wi, gi in zip(w, g1, strict=True)])
    e = [scale * wi**2 * gi for wi, gi in zip(w, g1, strict=True)]
    g2 = grads_at(model, [wi + ei for wi, ei in zip(w, e, strict=True)], x, y)
    expected = [wi - LR * gi for wi, gi in zip(w, g2, strict=True)]

    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, adaptive=True, lr=LR)
    sam_update(model, optimizer, x, y)
    for p, want in zip(model.parameters(), expected, strict=True):
        torch.testing.assert_close(p.detach(), want)


def test_step_with_closure_equals_first_and_second_step():
    x, y = batch()
    by_steps, by_closure = mlp(), mlp()
    sam_update(by_steps, SAM(by_steps.parameters(), torch.optim.SGD, rho=RHO, lr=LR), x, y)

    optimizer = SAM(by_closure.parameters(), torch.optim.SGD, rho=RHO, lr=LR)
    F.cross_entropy(by_closure(x), y).backward()

    def closure():
        loss = F.cross_entropy(by_closure(x), y)
        loss.backward()
        return loss

    assert torch.isfinite(optimizer.step(closure))
    for a, b in zip(by_steps.parameters(), by_closure.parameters(), strict=True):
        assert torch.equal(a, b)


def test_second_step_restores_the_weights_exactly():
    model, (x, y) = mlp(), batch()
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=0.5, lr=0.0)
    F.cross_entropy(model(x), y).backward()
    optimizer.first_step(zero_grad=True)
    assert not torch.equal(model[0].weight, before[0])  # it did climb
    F.cross_entropy(model(x), y).backward()
    optimizer.second_step()
    for p, b in zip(model.parameters(), before, strict=True):
        assert torch.equal(p, b)


def test_params_without_grad_are_left_alone():
    model, (x, y) = mlp(), batch()
    model[2].bias.requires_grad_(False)
    frozen = model[2].bias.detach().clone()
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, lr=LR)
    sam_update(model, optimizer, x, y)
    assert torch.equal(model[2].bias, frozen)


def test_steps_out_of_order_are_refused():
    model, (x, y) = mlp(), batch()
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, lr=LR)
    with pytest.raises(RuntimeError, match="first_step"):
        optimizer.second_step()
    F.cross_entropy(model(x), y).backward()
    optimizer.first_step()
    with pytest.raises(RuntimeError, match="second_step"):
        optimizer.first_step()
    with pytest.raises(RuntimeError, match="between"):
        optimizer.state_dict()


@pytest.mark.parametrize("momentum", [0.1, None])
def test_bn_stats_come_from_the_first_pass_only(momentum):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=momentum), nn.Linear(4, 2))
    x, y = batch()
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, lr=LR)
    F.cross_entropy(model(x), y).backward()
    bn = model[1]
    after_first = [t.clone() for t in (bn.running_mean, bn.running_var, bn.num_batches_tracked)]
    optimizer.first_step(zero_grad=True)
    with bn_stats_frozen(model):
        F.cross_entropy(model(x), y).backward()
        assert not torch.equal(bn.running_mean, after_first[0])  # the pass did move them
    optimizer.second_step()
    for now, want in zip(
        (bn.running_mean, bn.running_var, bn.num_batches_tracked), after_first, strict=True
    ):
        assert torch.equal(now, want)


def make_run(model: nn.Module) -> tuple[SAM, torch.optim.lr_scheduler.LambdaLR]:
    optimizer = SAM(model.parameters(), torch.optim.SGD, rho=RHO, lr=LR, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.9**step)
    return optimizer, scheduler


def test_state_dict_round_trip_resumes_bit_identically():
    batches = [batch(seed) for seed in range(6)]
    model = mlp()
    optimizer, scheduler = make_run(model)
    for x, y in batches[:3]:
        sam_update(model, optimizer, x, y)
        scheduler.step()
    assert optimizer.base_optimizer.state  # momentum buffers exist
    buffer = io.BytesIO()
    torch.save(
        {"model": model.state_dict(), "opt": optimizer.state_dict(), "sch": scheduler.state_dict()},
        buffer,
    )
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=False)

    resumed = mlp(seed=1)  # other initial weights: everything must come from the checkpoint
    resumed.load_state_dict(saved["model"])
    resumed_optimizer, resumed_scheduler = make_run(resumed)
    resumed_optimizer.load_state_dict(saved["opt"])
    resumed_scheduler.load_state_dict(saved["sch"])
    for x, y in batches[3:]:
        sam_update(model, optimizer, x, y)
        scheduler.step()
        sam_update(resumed, resumed_optimizer, x, y)
        resumed_scheduler.step()
    for a, b in zip(model.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)
    assert resumed_optimizer.base_optimizer.param_groups[0]["lr"] == pytest.approx(LR * 0.9**6)
    assert resumed_optimizer.param_groups is resumed_optimizer.base_optimizer.param_groups


def test_lr_scheduler_on_sam_drives_the_base_optimizer(recwarn):
    model, (x, y) = mlp(), batch()
    optimizer, scheduler = make_run(model)
    sam_update(model, optimizer, x, y)
    scheduler.step()
    assert optimizer.base_optimizer.param_groups[0]["lr"] == pytest.approx(LR * 0.9)
    # first_step/second_step count as an optimizer step for the scheduler's order check.
    assert not [w for w in recwarn if "lr_scheduler.step()" in str(w.message)]
