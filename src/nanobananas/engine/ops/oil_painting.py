"""oil_painting: brush-stroke look from OpenCV's xphoto oil painting filter."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["OilPaintingParams", "oil_painting"]


class OilPaintingParams(OpParams):
    brush: int = Field(default=5, ge=1, le=30)


@register("oil_painting", version=1, params=OilPaintingParams, summary="oil painting look", regional=True)
def oil_painting(image: Image.Image, params: OilPaintingParams) -> Image.Image:
    import cv2

    def apply(rgb: Image.Image) -> Image.Image:
        bgr = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
        painted = cv2.xphoto.oilPainting(bgr, params.brush, 1)
        return Image.fromarray(cv2.cvtColor(painted, cv2.COLOR_BGR2RGB))

    return on_rgb(image, apply)
