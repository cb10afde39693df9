"""vibrance: raise the saturation of muted colours more than of already vivid ones."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb, to_float
from nanobananas.engine.ops._tone import scale_saturation
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["VibranceParams", "vibrance"]


class VibranceParams(OpParams):
    amount: float = Field(default=0.5, ge=-1, le=3)


@register("vibrance", version=1, params=VibranceParams, summary="boost muted colours", regional=True)
def vibrance(image: Image.Image, params: VibranceParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        pixels = to_float(rgb)
        high, low = pixels.max(axis=2), pixels.min(axis=2)
        current = (high - low) / np.maximum(high, 1)
        return scale_saturation(pixels, (1 + params.amount * (1 - current)).astype(np.float32))

    return on_rgb(image, apply)
