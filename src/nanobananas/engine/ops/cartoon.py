"""cartoon: flattened colours (bilateral filtering, quantisation) with dark outlines."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["cartoon"]


@register("cartoon", version=1, params=NoParams, summary="cartoon look", regional=True)
def cartoon(image: Image.Image, params: NoParams) -> Image.Image:
    import cv2

    def apply(rgb: Image.Image) -> Image.Image:
        pixels = np.asarray(rgb)
        smooth = pixels
        for _ in range(2):
            smooth = cv2.bilateralFilter(smooth, 9, 60, 7)
        flat = (smooth // 32) * 32 + 16
        gray = cv2.medianBlur(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), 7)
        edges = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 5)
        return Image.fromarray(np.where(edges[..., None] > 0, flat, 0).astype(np.uint8))

    return on_rgb(image, apply)
