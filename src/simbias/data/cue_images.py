"""Drawing the synthetic cue-conflict images (simbias.data.generators.cue_conflict):
silhouettes, patterns and class colours, on a grey background."""

from __future__ import annotations

import numpy as np

SHAPES = ("disc", "square", "triangle", "cross", "ring", "diamond")
PATTERNS = ("hstripes", "checker", "dots", "noise", "vstripes", "diagonal")
COLOURS = np.array(
    [
        [0.90, 0.15, 0.15],  # red
        [0.15, 0.80, 0.20],  # green
        [0.20, 0.30, 0.95],  # blue
        [0.95, 0.85, 0.10],  # yellow
        [0.85, 0.20, 0.85],  # magenta
        [0.10, 0.85, 0.85],  # cyan
    ],
    dtype=np.float32,
)
COLOUR_NAMES = ("red", "green", "blue", "yellow", "magenta", "cyan")
MAX_CLASSES = len(SHAPES)
BACKGROUND = 0.3
#: Mean brightness of a silhouette: the grey that colours are mixed with, and the
#: shape-only fill (outside the background's range 0.3 +- 0.2).
FOREGROUND = 0.7
#: Silhouette radius as a fraction of the image size, before scale jitter.
BASE_RADIUS = 0.3


def render_masks(
    shapes: np.ndarray, size: int, max_shift: int, scale_jitter: float, rng: np.random.Generator
) -> np.ndarray:
    """Boolean silhouettes (N, size, size) of ``SHAPES[shapes]``, jittered in place and size."""
    n = len(shapes)
    centre = (size - 1) / 2 + rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    radius = BASE_RADIUS * size * (1 + rng.uniform(-scale_jitter, scale_jitter, size=n))
    grid = np.arange(size, dtype=np.float64)
    # Coordinates in units of the radius, centred on each silhouette: (N, H, W).
    v = (grid[None, :, None] - centre[:, 0, None, None]) / radius[:, None, None]
    u = (grid[None, None, :] - centre[:, 1, None, None]) / radius[:, None, None]
    r2 = u**2 + v**2
    # Areas (in radius^2) of 1.8 to 3.1: shape, not pixel count, tells the classes apart.
    masks = {
        "disc": r2 <= 1,
        "square": np.maximum(abs(u), abs(v)) <= 0.8,
        "triangle": (v >= -1) & (v <= 0.8) & (abs(u) <= (v + 1) / 1.8),
        "cross": ((abs(u) <= 0.35) & (abs(v) <= 1)) | ((abs(v) <= 0.35) & (abs(u) <= 1)),
        "ring": (r2 >= 0.25) & (r2 <= 1),
        "diamond": abs(u) + abs(v) <= 1,
    }
    out = np.zeros((n, size, size), dtype=bool)
    for index, name in enumerate(SHAPES):
        rows = shapes == index
        out[rows] = masks[name][rows]
    return out


def render_patterns(textures: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Patterns (N, size, size) in [0, 1] of ``PATTERNS[textures]`` at a random phase."""
    n = len(textures)
    phase = rng.integers(0, 4, size=(n, 2))[:, :, None, None]
    grid = np.arange(size)
    rows = grid[None, :, None] + phase[:, 0]
    cols = grid[None, None, :] + phase[:, 1]
    patterns = {
        "hstripes": (rows // 2) % 2 + 0 * cols,
        "checker": (rows // 2 + cols // 2) % 2,
        "dots": ((rows % 3 == 0) & (cols % 3 == 0)).astype(np.int64),
        "noise": rng.uniform(0, 1, size=(n, size, size)),
        "vstripes": (cols // 2) % 2 + 0 * rows,
        "diagonal": ((rows + cols) // 2) % 2,
    }
    out = np.zeros((n, size, size), dtype=np.float64)
    for index, name in enumerate(PATTERNS):
        chosen = textures == index
        out[chosen] = np.broadcast_to(patterns[name], (n, size, size))[chosen]
    return out


def render_textures(
    textures: np.ndarray,
    size: int,
    rng: np.random.Generator,
    colour_jitter: float = 0.1,
    colour_strength: float = 1.0,
    texture_contrast: float = 1.0,
) -> np.ndarray:
    """Texture images (N, 3, size, size) in [0, 1]: the class colour, mixed with the grey
    ``FOREGROUND`` (``colour_strength`` 1: the pure colour) and scaled by a per-image
    brightness jitter, its brightness modulated by the pattern by +-``texture_contrast``/2."""
    pattern = render_patterns(textures, size, rng)
    brightness = 1 + rng.uniform(-colour_jitter, colour_jitter, size=len(textures))
    colour = FOREGROUND + colour_strength * (COLOURS[textures] - FOREGROUND)
    colour = colour * brightness[:, None]
    level = 1 + texture_contrast * (pattern - 0.5)
    return np.clip(colour[:, :, None, None] * level[:, None], 0, 1).astype(np.float32)


def cue_amplitudes(
    n_classes: int, colour_strength: float, texture_contrast: float
) -> dict[str, float]:
    """How far (per pixel, in pixel values) each non-shape cue moves an image, i.e. the
    L-inf radius an adversary needs to erase it: ``pattern_amplitude``, the pattern's
    swing about the flat colour (``texture_contrast``/2 of the mean brightness
    ``FOREGROUND``); ``colour_amplitude``, half the L-inf distance between the two closest
    class colours after mixing with grey (a pixel moved that far sits halfway to another
    class); ``cue_amplitude``, the smaller of the two: an L-inf adversary of radius below
    it can erase neither cue, one at or above it can erase that cue."""
    colours = COLOURS[:n_classes]
    gaps = np.abs(colours[:, None] - colours[None]).max(axis=2)
    closest = gaps[~np.eye(n_classes, dtype=bool)].min()
    pattern = texture_contrast / 2 * FOREGROUND
    colour = colour_strength * float(closest) / 2
    return {
        "pattern_amplitude": float(pattern),
        "colour_amplitude": float(colour),
        "cue_amplitude": float(min(pattern, colour)),
    }
