"""watercolor: soft washes of colour from OpenCV's edge-aware stylization filter."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["watercolor"]


@register("watercolor", version=1, params=NoParams, summary="watercolour look", regional=True)
def watercolor(image: Image.Image, params: NoParams) -> Image.Image:
    import cv2

    def apply(rgb: Image.Image) -> Image.Image:
        bgr = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
        painted = cv2.stylization(bgr, sigma_s=60, sigma_r=0.45)
        return Image.fromarray(cv2.cvtColor(painted, cv2.COLOR_BGR2RGB))

    return on_rgb(image, apply)
