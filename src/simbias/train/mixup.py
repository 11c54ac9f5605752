"""Mixup (Zhang et al. 2018, arXiv:1710.09412) as Bachmann et al. 2023 pre-train with it.

[SM] = gregorbachmann/scaling_mlps. Its data_utils/dataloader.py adds FFCV's
``ImageMixup(alpha=mixup, same_lambda=True)`` and ``LabelMixup`` after the crop and flip
(utils/parsers.py ``--mixup 0.8``), and train.py descends
``loss_fn(preds, y) * lam + loss_fn(preds, y_perm) * (1 - lam)`` with the label-smoothed
cross-entropy as ``loss_fn``. FFCV (libffcv/ffcv ffcv/transforms/mixup.py) draws one
``lam ~ Beta(alpha, alpha)`` per batch (same_lambda) and mixes image ``i`` with image
``i - 1`` of the (shuffled) batch: every step, no probability of skipping it. Here the
same, with ``lam`` drawn from the run's training generator so that a resumed run replays it.
"""

from __future__ import annotations

import torch

from simbias.train.regime import LossFn

#: Candidate pairs of Johnk's sampler drawn per lambda. Each is accepted with probability
#: Gamma(1+a)^2 / Gamma(1+2a) >= 1/2 for alpha <= 1, so all 64 fail with probability under
#: 2**-64; drawing a fixed number keeps the generator's stream (and resumes) exact.
CANDIDATES = 64


def beta_symmetric(alpha: float, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """One draw of Beta(alpha, alpha) for 0 < alpha <= 1, a 0-dim float32 tensor on
    ``device``, from ``generator`` alone (torch's Beta sampler takes none) and without a
    host sync. Johnk's algorithm, in logs, as numpy's ``random.beta`` (which FFCV calls)
    uses it for both shapes <= 1: X = U^(1/a), Y = V^(1/a), accept X + Y <= 1, give
    X / (X + Y)."""
    if not 0 < alpha <= 1:
        raise ValueError(f"mixup alpha must be in (0, 1] (Johnk's sampler), got {alpha}")
    logs = torch.rand(CANDIDATES, 2, generator=generator, device=device).log() / alpha
    log_sum = torch.logsumexp(logs, dim=1)
    accepted = (log_sum <= 0) & torch.isfinite(log_sum)  # U = V = 0 gives 0 / 0
    first = accepted.to(torch.uint8).argmax()  # the first accepted pair
    return (logs[first, 0] - log_sum[first]).exp()


def mix_batch(
    inputs: torch.Tensor, labels: torch.Tensor, alpha: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The mixed inputs ``lam * x_i + (1 - lam) * x_{i-1}``, the partner labels
    ``y_{i-1}`` and ``lam`` (one per batch, FFCV's same_lambda)."""
    lam = beta_symmetric(alpha, generator, inputs.device)
    partners = inputs.roll(1, dims=0)  # position i holds example i - 1, as FFCV's images[ix - 1]
    mixed = lam.to(inputs.dtype) * inputs + (1 - lam.to(inputs.dtype)) * partners
    return mixed, labels.roll(1, dims=0), lam


def mixed_loss(loss_fn: LossFn, partner_labels: torch.Tensor, lam: torch.Tensor) -> LossFn:
    """``loss_fn`` of the mixed batch: ``lam * L(y) + (1 - lam) * L(y_partner)`` ([SM]
    train.py), the label smoothing, if any, inside each term."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return lam * loss_fn(logits, labels) + (1 - lam) * loss_fn(logits, partner_labels)

    return loss
