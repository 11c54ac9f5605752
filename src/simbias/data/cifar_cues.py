"""Image operations that take a real CIFAR-10 image's cues apart, for the
cifar_cue_conflict kind (simbias.data.generators.cifar_cue_conflict): a tiling of random
crops keeps the texture, a blurred, normalised luminance keeps the shape."""

from __future__ import annotations

import numpy as np

from simbias.data.real import unit_float

IMAGE_SIZE = 32
#: Standard deviation (pixels) of the Gaussian low-pass that turns luminance into structure.
BLUR_SIGMA = 1.0
#: ITU-R BT.601 luma weights (R, G, B).
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)


def tile_texture(images: np.ndarray, patch: int, rng: np.random.Generator) -> np.ndarray:
    """Texture images (N, 3, 32, 32), float32 in [0, 1]: each a grid of ``patch`` x
    ``patch`` crops of the matching uint8 image (N, 3, H, W) at random positions (row-major,
    the grid cropped to 32 x 32)."""
    n, _, height, width = images.shape
    grid = -(-IMAGE_SIZE // patch)  # tiles per side, rounded up
    windows = np.lib.stride_tricks.sliding_window_view(images, (patch, patch), axis=(2, 3))
    rows = rng.integers(0, height - patch + 1, size=(n, grid * grid))
    cols = rng.integers(0, width - patch + 1, size=(n, grid * grid))
    tiles = windows[np.arange(n)[:, None], :, rows, cols]  # (N, tiles, 3, patch, patch)
    tiles = tiles.reshape(n, grid, grid, 3, patch, patch).transpose(0, 3, 1, 4, 2, 5)
    tiled = tiles.reshape(n, 3, grid * patch, grid * patch)[:, :, :IMAGE_SIZE, :IMAGE_SIZE]
    return unit_float(tiled)


def luminance_structure(images: np.ndarray, sigma: float = BLUR_SIGMA) -> np.ndarray:
    """Structure maps (N, H, W), float32 in [0, 1], of uint8 images (N, 3, H, W): luminance,
    Gaussian-blurred (``sigma`` pixels, reflect padding), min-max normalised per image (a
    flat map becomes 0.5)."""
    luma = np.einsum("c,nchw->nhw", LUMA, images.astype(np.float64) / 255)
    blurred = _gaussian_blur(luma, sigma)
    low = blurred.min(axis=(1, 2), keepdims=True)
    span = blurred.max(axis=(1, 2), keepdims=True) - low
    safe = np.where(span > 1e-12, span, 1.0)
    out = np.where(span > 1e-12, (blurred - low) / safe, 0.5)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _gaussian_blur(maps: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of (N, H, W) maps, reflect-padded, kernel radius 3 sigma."""
    radius = max(1, int(np.ceil(3 * sigma)))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel /= kernel.sum()
    out = maps
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="reflect")
        length = out.shape[axis]
        out = sum(
            weight * np.take(padded, np.arange(i, i + length), axis=axis)
            for i, weight in enumerate(kernel)
        )
    return out
