"""auto_enhance: stretch the levels, then local contrast with CLAHE on lightness."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops._tone import luma
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["AutoEnhanceParams", "auto_enhance"]


class AutoEnhanceParams(OpParams):
    strength: float = Field(default=1.0, gt=0, le=3)


@register(
    "auto_enhance",
    version=1,
    params=AutoEnhanceParams,
    summary="automatic levels and local contrast",
    regional=True,
)
def auto_enhance(image: Image.Image, params: AutoEnhanceParams) -> Image.Image:
    import cv2

    def apply(rgb: Image.Image) -> Image.Image:
        pixels = to_float(rgb)
        low, high = np.percentile(luma(pixels), [0.5, 99.5])
        if high - low > 8:
            pixels = (pixels - low) * (255.0 / (high - low))
        stretched = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
        lab = cv2.cvtColor(stretched, cv2.COLOR_RGB2LAB)
        clahe = cv2.createCLAHE(clipLimit=1.5 * params.strength, tileGridSize=(8, 8))
        lab[..., 0] = clahe.apply(lab[..., 0])
        return from_float(np.asarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), dtype=np.uint8))

    return on_rgb(image, apply)
