"""The naive torch.func loop over stacked seeds: the second reference of the seed benchmarks.

What one writes in ten lines from the torch.func tutorial: stack the seeds' modules,
``vmap`` a ``functional_call`` loss, gather each seed's batch with a Python list, step a
plain ``torch.optim.SGD``. Plain SGD only (no SAM, no attacks), no evaluation, no
checkpoints: what it times is the steps alone.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from torch.nn import functional as F

from simbias.train.engine import TensorData
from simbias.train.spec import TrainSpec


def naive_seed_loop(models: list[nn.Module], seeds: list[int], train: TensorData, spec: TrainSpec):
    """Train ``models`` (one per seed) at once with the naive loop; the stacked weights."""
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")

    def loss(p, b, x, y):
        return F.cross_entropy(functional_call(base, (p, b), (x,)), y)

    batched_loss = vmap(loss)
    optimizer = torch.optim.SGD(params.values(), lr=spec.lr, momentum=spec.momentum)
    shuffles = [torch.Generator().manual_seed(s) for s in seeds]
    n = len(train)
    batch_size = spec.batch_size_for(n)
    for _ in range(spec.epochs):
        orders = [torch.randperm(n, generator=g) for g in shuffles]
        for step in range(math.ceil(n / batch_size)):
            index = [order[step * batch_size : (step + 1) * batch_size] for order in orders]
            x = torch.stack([train.x[i] for i in index])
            y = torch.stack([train.y[i] for i in index])
            optimizer.zero_grad()
            batched_loss(params, buffers, x, y).sum().backward()
            optimizer.step()
    return params
