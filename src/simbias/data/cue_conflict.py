"""Generated cue-conflict images: shape, texture and colour cues that agree in training and
disagree at test time, for the shape bias of Geirhos et al. (ICLR 2019) and Chen, Agarwal
and Nguyen (2020).

Geirhos et al. build cue-conflict images by style transfer: the shape (object outline) of
one ImageNet class rendered in the texture of another, and report a network's *shape
bias*, the fraction of its cue-decided answers that follow the shape. Real stylised
ImageNet is far beyond the default scale, so this module draws a synthetic stand-in in
which every cue is known exactly:

* ``n_classes`` (2 to 6) shape classes are silhouettes (disc, square, triangle, cross,
  ring, diamond) with random position and size jitter, on a grey background with mild
  grey noise;
* the same number of texture classes are a binary or noise pattern (horizontal stripes,
  checkerboard, dots, coloured noise, vertical stripes, diagonal stripes) at a random
  phase, modulating (by +-``texture_contrast``/2) the brightness of the class's own colour
  (red, green, blue, yellow, magenta, cyan, mixed with grey as ``colour_strength`` says),
  with a small per-image brightness jitter; a texture class is thus pattern + colour, as
  an ImageNet texture usually carries both.

``colour_strength`` and ``texture_contrast`` set how large (in pixel values) the texture
cues are next to the silhouette's edge against the background: subtle cues (small
values) are ones an L-inf adversary of a few /255 can erase while the shape survives,
the situation of real ImageNet textures in Chen et al. The defaults are such: a small
CNN trained with SGD decides conflict images by texture, one trained with PGD at L-inf
8/255 mostly by shape. ``colour_strength=1, texture_contrast=1`` gives vivid cues that
no small adversary removes.

Class ``c`` in ``train`` and ``test`` is shape ``c`` filled with texture ``c``. The probe
splits take the cues apart:

* ``conflict``: shape ``a`` filled with texture ``b != a`` (``b`` uniform over the other
  classes); ``y = a``, the shape class (Geirhos et al. score against both);
* ``shape_only``: the silhouette filled with one flat neutral colour (``FOREGROUND`` grey);
  ``y`` = shape class (Geirhos et al.'s silhouette/edge images);
* ``texture_only``: the texture over the whole frame, no silhouette; ``y`` = texture class;
* ``colour_only``: the whole frame one flat fill with the texture image's mean colour, no
  pattern; ``y`` = texture class (the lowest-level cue).

Every split carries the per-example attributes ``shape_label`` and ``texture_label``
(``-1`` where that cue is absent: ``texture_label`` in ``shape_only``, ``shape_label`` in
``texture_only`` and ``colour_only``). Labels are balanced (counts differ by at most one).
Background pixels are grey (equal channels) and darker than the neutral fill; texture
pixels are coloured unless clipping at 1 greys them (near-grey colours at high contrast),
so the foreground of an image is recoverable from its pixels.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simbias.data.base import DatasetGenerator, DatasetSplits, Split

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


def _problems(
    size: Any,
    n_classes: Any,
    n_train: Any,
    n_test: Any,
    n_probe: Any,
    max_shift: Any,
    scale_jitter: Any,
    background_noise: Any,
    colour_jitter: Any,
    colour_strength: Any,
    texture_contrast: Any,
) -> list[str]:
    def is_int(value: Any) -> bool:
        return isinstance(value, int | np.integer) and not isinstance(value, bool)

    def is_number(value: Any) -> bool:
        return isinstance(value, int | float | np.number) and not isinstance(value, bool)

    problems = []
    if not (is_int(size) and 12 <= size <= 64):
        problems.append(f"size must be an integer in [12, 64], got {size!r}")
    if not (is_int(n_classes) and 2 <= n_classes <= MAX_CLASSES):
        problems.append(f"n_classes must be an integer in [2, {MAX_CLASSES}], got {n_classes!r}")
    for name, value in (("n_train", n_train), ("n_test", n_test), ("n_probe", n_probe)):
        if not (is_int(value) and value >= 1):
            problems.append(f"{name} must be an integer >= 1, got {value!r}")
    if not (is_int(max_shift) and 0 <= max_shift <= (size // 4 if is_int(size) else 0)):
        problems.append(f"max_shift must be an integer in [0, size/4], got {max_shift!r}")
    if not (is_number(scale_jitter) and 0 <= scale_jitter < 0.5):
        problems.append(f"scale_jitter must be in [0, 0.5), got {scale_jitter!r}")
    # The bound keeps background pixels distinguishable from the neutral fill and textures.
    if not (is_number(background_noise) and 0 <= background_noise <= 0.2):
        problems.append(f"background_noise must be in [0, 0.2], got {background_noise!r}")
    if not (is_number(colour_jitter) and 0 <= colour_jitter <= 0.2):
        problems.append(f"colour_jitter must be in [0, 0.2], got {colour_jitter!r}")
    # A grey texture (strength 0) would look like background: keep it coloured.
    if not (is_number(colour_strength) and 0 < colour_strength <= 1):
        problems.append(f"colour_strength must be in (0, 1], got {colour_strength!r}")
    if not (is_number(texture_contrast) and 0 <= texture_contrast <= 1):
        problems.append(f"texture_contrast must be in [0, 1], got {texture_contrast!r}")
    return problems


#: The probe splits of every cue-conflict dataset, besides train and test.
PROBE_SPLITS = ("conflict", "shape_only", "texture_only", "colour_only")


class CueConflictDataset(DatasetGenerator):
    kind = "cue_conflict"
    extra_splits: ClassVar[tuple[str, ...]] = PROBE_SPLITS

    def __init__(
        self,
        size: int = 16,
        n_classes: int = 4,
        n_train: int = 3000,
        n_test: int = 1000,
        n_probe: int = 500,
        max_shift: int = 2,
        scale_jitter: float = 0.2,
        background_noise: float = 0.1,
        colour_jitter: float = 0.1,
        colour_strength: float = 0.05,
        texture_contrast: float = 0.1,
    ) -> None:
        params = {
            "size": size,
            "n_classes": n_classes,
            "n_train": n_train,
            "n_test": n_test,
            "n_probe": n_probe,
            "max_shift": max_shift,
            "scale_jitter": scale_jitter,
            "background_noise": background_noise,
            "colour_jitter": colour_jitter,
            "colour_strength": colour_strength,
            "texture_contrast": texture_contrast,
        }
        problems = _problems(**params)
        if problems:
            raise ValueError("cue_conflict: " + "; ".join(problems))
        super().__init__(**params)

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        k = p["n_classes"]
        splits = {}
        for name, n in (("train", p["n_train"]), ("test", p["n_test"])):
            labels = balanced_labels(n, k, rng)
            splits[name] = self._split(labels, labels, labels, rng)
        n = p["n_probe"]
        shape = balanced_labels(n, k, rng)
        texture = (shape + rng.integers(1, k, size=n)) % k  # uniform over the other classes
        splits["conflict"] = self._split(shape, shape, texture, rng)
        shape = balanced_labels(n, k, rng)
        splits["shape_only"] = self._split(shape, shape, np.full(n, -1), rng)
        texture = balanced_labels(n, k, rng)
        splits["texture_only"] = self._split(texture, np.full(n, -1), texture, rng)
        texture = balanced_labels(n, k, rng)
        splits["colour_only"] = self._split(texture, np.full(n, -1), texture, rng, flat=True)
        return DatasetSplits(splits, params=self.card_params(), input_range=(0.0, 1.0))

    def _split(
        self,
        y: np.ndarray,
        shape: np.ndarray,
        texture: np.ndarray,
        rng: np.random.Generator,
        flat: bool = False,
    ) -> Split:
        """Images with silhouette ``shape`` (-1: none, the fill covers the frame) filled
        with texture ``texture`` (-1: the neutral fill); ``flat``: each texture image
        replaced by its mean colour."""
        p = self.params
        n, size = len(y), p["size"]
        # Grey noise (equal channels), so background pixels never look like a texture.
        noise = rng.uniform(-1, 1, size=(n, 1, size, size)) * p["background_noise"]
        background = np.broadcast_to(BACKGROUND + noise, (n, 3, size, size))
        fill = np.full((n, 3, size, size), FOREGROUND, dtype=np.float32)
        textured = texture >= 0
        fill[textured] = render_textures(
            texture[textured],
            size,
            rng,
            p["colour_jitter"],
            p["colour_strength"],
            p["texture_contrast"],
        )
        if flat:
            fill = np.broadcast_to(fill.mean(axis=(2, 3), keepdims=True), fill.shape)
        mask = np.ones((n, size, size), dtype=bool)
        has_shape = shape >= 0
        mask[has_shape] = render_masks(
            shape[has_shape], size, p["max_shift"], p["scale_jitter"], rng
        )
        x = np.where(mask[:, None], fill, background).astype(np.float32)
        return Split(
            x=np.clip(x, 0.0, 1.0),
            y=y.astype(np.int64),
            attributes={
                "shape_label": shape.astype(np.int64),
                "texture_label": texture.astype(np.int64),
            },
        )

    def card_params(self) -> dict[str, Any]:
        k = self.params["n_classes"]
        return {
            "kind": self.kind,
            **self.params,
            "shapes": list(SHAPES[:k]),
            "textures": [
                f"{pattern} {colour}"
                for pattern, colour in zip(PATTERNS[:k], COLOUR_NAMES[:k], strict=True)
            ],
        }


def balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` labels in ``0..k-1``, counts differing by at most one, in random order."""
    return rng.permutation(np.arange(n) % k).astype(np.int64)


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
