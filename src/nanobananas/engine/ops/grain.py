"""grain: film grain (luminance noise), reproducible through `seed`."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["GrainParams", "grain"]


class GrainParams(OpParams):
    amount: float = Field(default=0.5, gt=0, le=2)
    seed: int = 0


@register("grain", version=1, params=GrainParams, summary="film grain", regional=True)
def grain(image: Image.Image, params: GrainParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        rng = np.random.default_rng(params.seed)
        noise = rng.normal(0, 16 * params.amount, (rgb.height, rgb.width, 1)).astype(np.float32)
        return from_float(to_float(rgb) + noise)

    return on_rgb(image, apply)
