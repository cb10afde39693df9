"""pencil_sketch: a grey pencil drawing made by colour-dodging the image with its blurred negative."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from pydantic import Field

from nanobananas.engine.ops._pixels import from_float, on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PencilSketchParams", "dodge_sketch", "pencil_sketch"]


class PencilSketchParams(OpParams):
    radius: float = Field(default=8.0, gt=0, le=100)


def dodge_sketch(rgb: Image.Image, radius: float) -> Image.Image:
    """The colour-dodge sketch of `rgb` as an 'L' image."""
    gray = rgb.convert("L")
    blurred = ImageOps.invert(gray).filter(ImageFilter.GaussianBlur(radius))
    base = np.asarray(gray, dtype=np.float32)
    dodge = base * 255 / np.maximum(255 - np.asarray(blurred, dtype=np.float32), 1)
    return from_float(dodge)


@register("pencil_sketch", version=1, params=PencilSketchParams, summary="pencil drawing", regional=True)
def pencil_sketch(image: Image.Image, params: PencilSketchParams) -> Image.Image:
    return on_rgb(image, lambda rgb: dodge_sketch(rgb, params.radius).convert("RGB"))
