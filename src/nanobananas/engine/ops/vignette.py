"""vignette: darken the corners smoothly; strength 1 takes the corners to about black."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["VignetteParams", "vignette"]


class VignetteParams(OpParams):
    strength: float = Field(default=0.5, gt=0, le=1)


@register("vignette", version=1, params=VignetteParams, summary="darken the edges")
def vignette(image: Image.Image, params: VignetteParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        w, h = rgb.size
        ys = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        xs = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        distance = np.sqrt(xs**2 + ys**2) / np.sqrt(2)
        falloff = np.clip((distance - 0.35) / 0.65, 0, 1) ** 1.6
        gain = 1 - params.strength * falloff
        return from_float(to_float(rgb) * gain[..., None])

    return on_rgb(image, apply)
