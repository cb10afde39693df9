"""trim: cut away a plain border (a frame, scanner margin or letterbox) whose colour matches the corners."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["TrimParams", "trim"]


class TrimParams(OpParams):
    tolerance: int = Field(default=24, ge=0, le=255, description="largest channel sum difference that still counts")


@register("trim", version=1, params=TrimParams, summary="remove a plain border")
def trim(image: Image.Image, params: TrimParams) -> Image.Image:
    image = normalize_mode(image)
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    corners = np.stack([pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]])
    backdrop = np.median(corners, axis=0)
    content = np.abs(pixels - backdrop).sum(axis=2) > params.tolerance
    rows = np.flatnonzero(content.any(axis=1))
    cols = np.flatnonzero(content.any(axis=0))
    if len(rows) == 0 or len(cols) == 0:
        return image.copy()
    return image.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))
