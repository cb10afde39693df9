"""tilt_shift: the miniature look; sharp band across the middle, blur growing towards top and bottom."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["TiltShiftParams", "tilt_shift"]


class TiltShiftParams(OpParams):
    focus: float = Field(default=0.5, ge=0, le=1, description="height of the sharp band's centre, 0 top, 1 bottom")
    band: float = Field(default=0.25, gt=0, le=1, description="sharp band height as a share of the image")
    radius: float | None = Field(default=None, gt=0, le=200)


@register("tilt_shift", version=1, params=TiltShiftParams, summary="miniature (tilt-shift) blur")
def tilt_shift(image: Image.Image, params: TiltShiftParams) -> Image.Image:
    image = normalize_mode(image)
    radius = params.radius if params.radius is not None else max(2.0, min(image.size) / 60)
    blurred = image.filter(ImageFilter.GaussianBlur(radius))
    rows = np.linspace(0, 1, image.height, dtype=np.float32)
    distance = np.abs(rows - params.focus) - params.band / 2
    sharpness = 1 - np.clip(distance / max(1e-3, 0.5 - params.band / 2), 0, 1)
    mask = Image.fromarray(np.rint(np.repeat(sharpness[:, None], image.width, axis=1) * 255).astype(np.uint8))
    return Image.composite(image, blurred, mask)
