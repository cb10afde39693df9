"""sepia: the brown tone of old photographs, blended with the original by `amount`."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["SepiaParams", "sepia"]

_MATRIX = np.array(
    [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]],
    dtype=np.float32,
)


class SepiaParams(OpParams):
    amount: float = Field(default=1.0, gt=0, le=1)


@register("sepia", version=1, params=SepiaParams, summary="sepia tone", regional=True)
def sepia(image: Image.Image, params: SepiaParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        pixels = to_float(rgb)
        toned = np.minimum(pixels @ _MATRIX.T, 255)
        return from_float(pixels + (toned - pixels) * params.amount)

    return on_rgb(image, apply)
