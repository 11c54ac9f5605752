"""Generated cue-conflict images: shape, texture and colour cues that agree in training and
disagree at test time, for the shape bias of Geirhos et al. (ICLR 2019) and Chen, Agarwal
and Nguyen (2020).

Geirhos et al. build cue-conflict images by style transfer: the shape (object outline) of
one ImageNet class rendered in the texture of another, and report a network's *shape
bias*, the fraction of its cue-decided answers that follow the shape. Real stylised
ImageNet is far beyond the default scale, so this kind draws a synthetic stand-in in
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
cues are next to the silhouette's edge against the background, and ``cue_scale``
multiplies both (the cue-amplitude sweep). The card records each cue's amplitude, the
L-inf radius that erases it (:func:`simbias.data.cue_images.cue_amplitudes`): at the
defaults the pattern swings by 0.035 and the colours sit 0.0175 from halfway to the next
class, at or below the L-inf radii 4/255 (0.016) to 8/255 (0.031) of the attacks, so an
adversary can erase them while the shape survives and a shape bias of adversarial
training is built in. ``cue_scale`` 4 puts the weaker cue (0.07) at twice 8/255.
``colour_strength=1, texture_contrast=1`` gives vivid cues that no small adversary
removes.

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

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simbias.data.base import (
    GENERATORS,
    PROBE_SPLITS,
    DatasetGenerator,
    DatasetSplits,
    GeneratorParams,
    Split,
    balanced_labels,
)
from simbias.data.cue_images import (
    BACKGROUND,
    COLOUR_NAMES,
    FOREGROUND,
    MAX_CLASSES,
    PATTERNS,
    SHAPES,
    cue_amplitudes,
    render_masks,
    render_textures,
)
from simbias.params import param


@dataclass(frozen=True, kw_only=True)
class CueConflictParams(GeneratorParams):
    """The cue_conflict kind's parameters."""

    size: int = param(16, description="Image side in pixels.", minimum=12, maximum=64)
    n_classes: int = param(
        4, description="Shape (and texture) classes.", minimum=2, maximum=MAX_CLASSES
    )
    n_train: int = param(3000, description="Training images (cues agree).", minimum=1)
    n_test: int = param(1000, description="Test images (cues agree).", minimum=1)
    n_probe: int = param(500, description="Images in each probe set.", minimum=1)
    max_shift: int = param(2, description="Random shape offset in pixels.", minimum=0)
    scale_jitter: float = param(
        0.2, description="Relative shape-size jitter.", minimum=0, exclusive_maximum=0.5
    )
    # The bound keeps background pixels distinguishable from the neutral fill and textures.
    background_noise: float = param(
        0.1, description="Std of the grey background noise.", minimum=0, maximum=0.2
    )
    colour_jitter: float = param(
        0.1, description="Per-image jitter of the texture colour.", minimum=0, maximum=0.2
    )
    # A grey texture (strength 0) would look like background: keep it coloured.
    colour_strength: float = param(
        0.05,
        description="How far a texture's colour departs from grey (1 = saturated).",
        exclusive_minimum=0,
        maximum=1,
    )
    texture_contrast: float = param(
        0.1, description="Contrast of the texture pattern.", minimum=0, maximum=1
    )
    # One knob for the cue-amplitude sweep (shape bias against the ratio of cue amplitude
    # to the attack radius): both non-shape cues scaled together, their mix kept.
    cue_scale: float = param(
        1.0,
        description="Factor on colour_strength and texture_contrast (both cues' amplitude).",
        exclusive_minimum=0,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("colour_strength", "texture_contrast"):
            if getattr(self, name) * self.cue_scale > 1:
                raise ValueError(
                    f"cue_scale {self.cue_scale} x {name} {getattr(self, name)} exceeds 1"
                )
        if self.max_shift > self.size // 4:
            limit = self.size // 4
            raise ValueError(f"max_shift must be <= size // 4 = {limit}, got {self.max_shift}")


@GENERATORS.register(
    "cue_conflict",
    provides=("train_split", "labels", "images", "probe_splits"),
    params=CueConflictParams,
    caption="""Generated cue-conflict images (simbias.data.generators.cue_conflict): shape
    classes filled with texture classes; conflict, shape-only, texture-only and colour-only
    probe sets (after Geirhos et al. 2019).""",
)
class CueConflictDataset(DatasetGenerator):
    params: CueConflictParams
    extra_splits: ClassVar[tuple[str, ...]] = PROBE_SPLITS

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        rng = np.random.default_rng(seed)
        k = p.n_classes
        splits = {}
        for name, n in (("train", p.n_train), ("test", p.n_test)):
            labels = balanced_labels(n, k, rng)
            splits[name] = self._split(labels, labels, labels, rng)
        n = p.n_probe
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
        n, size = len(y), p.size
        # Grey noise (equal channels), so background pixels never look like a texture.
        noise = rng.uniform(-1, 1, size=(n, 1, size, size)) * p.background_noise
        background = np.broadcast_to(BACKGROUND + noise, (n, 3, size, size))
        fill = np.full((n, 3, size, size), FOREGROUND, dtype=np.float32)
        textured = texture >= 0
        fill[textured] = render_textures(
            texture[textured],
            size,
            rng,
            p.colour_jitter,
            p.colour_strength * p.cue_scale,
            p.texture_contrast * p.cue_scale,
        )
        if flat:
            fill = np.broadcast_to(fill.mean(axis=(2, 3), keepdims=True), fill.shape)
        mask = np.ones((n, size, size), dtype=bool)
        has_shape = shape >= 0
        mask[has_shape] = render_masks(shape[has_shape], size, p.max_shift, p.scale_jitter, rng)
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
        p = self.params
        k = p.n_classes
        return self.card(
            **cue_amplitudes(k, p.colour_strength * p.cue_scale, p.texture_contrast * p.cue_scale),
            shapes=list(SHAPES[:k]),
            textures=[
                f"{pattern} {colour}"
                for pattern, colour in zip(PATTERNS[:k], COLOUR_NAMES[:k], strict=True)
            ],
        )
