"""A training loop written the way the papers' repositories write theirs, as the baseline
our engine is timed against.

A ``torch.utils.data.Dataset`` returns one example at a time through per-sample torchvision
transforms (for images: uint8 HWC array -> PIL image -> RandomCrop(padding) ->
RandomHorizontalFlip -> ToTensor, exactly as ``torchvision.datasets.CIFAR10`` does); a
``DataLoader`` with worker processes collates batches; the step reads the loss and the
number of correct predictions back with ``.item()`` every step. Float32, contiguous memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset


class PerSampleDataset(Dataset):
    """Examples ``x[i]`` passed one by one through ``transform`` (as torchvision datasets)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, transform: Callable[[Any], Any]) -> None:
        self.x, self.y, self.transform = x, y, transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        return self.transform(self.x[index]), int(self.y[index])


def image_transform(padding: int = 4) -> Callable[[np.ndarray], torch.Tensor]:
    """torchvision's CIFAR augmentation on a uint8 (H, W, C) array, per sample."""
    from PIL import Image
    from torchvision import transforms

    pipeline = transforms.Compose(
        [
            transforms.RandomCrop(32, padding=padding),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
        ]
    )
    return lambda array: pipeline(Image.fromarray(array))


def vector_transform(array: np.ndarray) -> torch.Tensor:
    """The per-sample conversion a vector dataset does (``torch.as_tensor``)."""
    return torch.as_tensor(array)


def reference_train(
    model: nn.Module,
    dataset: Dataset,
    batch_size: int,
    lr: float,
    num_workers: int = 2,
    device: str = "cpu",
) -> dict[str, float]:
    """One epoch over ``dataset``: SGD with momentum, ``.item()`` per step."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(1) == labels).sum().item()
        seen += len(labels)
    return {"train_loss": total_loss / seen, "train_accuracy": correct / seen}
