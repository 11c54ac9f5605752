"""Random crop with zero padding and horizontal flip, for a whole batch at once on its device.

The per-example torchvision pipeline (``RandomCrop(32, padding=4)``, ``RandomHorizontalFlip``)
runs Python per image in DataLoader workers; here one gather and one ``where`` transform the
batch, with offsets and flips drawn from the training generator (so resumes replay them).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def random_crop_flip(
    x: torch.Tensor, padding: int, flip: bool, generator: torch.Generator
) -> torch.Tensor:
    """Each image of ``x`` (N, C, H, W) shifted by a random offset in [-padding, padding]
    (zeros fill the border, as RandomCrop's default fill) and mirrored with probability 1/2."""
    if x.dim() != 4:
        raise ValueError(f"random crop and flip need image batches (N, C, H, W), got {x.shape}")
    n, c, h, w = x.shape
    device = x.device
    if padding > 0:
        padded = F.pad(x, (padding, padding, padding, padding))
        offsets = torch.randint(0, 2 * padding + 1, (n, 2), generator=generator, device=device)
        rows = offsets[:, :1] + torch.arange(h, device=device)  # (N, H)
        cols = offsets[:, 1:] + torch.arange(w, device=device)  # (N, W)
        batch = torch.arange(n, device=device)[:, None, None, None]
        channel = torch.arange(c, device=device)[None, :, None, None]
        x = padded[batch, channel, rows[:, None, :, None], cols[:, None, None, :]]
    if flip:
        mirrored = torch.rand(n, generator=generator, device=device) < 0.5
        x = torch.where(mirrored[:, None, None, None], x.flip(-1), x)
    return x
