"""color_splash: keep one colour (red, blue, ...) and turn everything else black and white."""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops._tone import luma
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["ColorSplashParams", "color_splash"]

Hue = Literal["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink"]
# Hue centres in degrees on the HSV wheel.
_HUES: dict[str, float] = {
    "red": 0,
    "orange": 30,
    "yellow": 55,
    "green": 120,
    "cyan": 180,
    "blue": 220,
    "purple": 275,
    "pink": 330,
}


class ColorSplashParams(OpParams):
    keep: Hue = "red"


@register("color_splash", version=1, params=ColorSplashParams, summary="keep one colour, grey the rest", regional=True)
def color_splash(image: Image.Image, params: ColorSplashParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        pixels = to_float(rgb)
        hsv = np.asarray(rgb.convert("HSV"), dtype=np.float32)
        hue = hsv[..., 0] * 360 / 255
        difference = np.abs((hue - _HUES[params.keep] + 180) % 360 - 180)
        colourful = hsv[..., 1] / 255 > 0.25
        keep = (np.clip((40 - difference) / 15, 0, 1) * colourful)[..., None]
        gray = luma(pixels)[..., None]
        return from_float(gray + (pixels - gray) * keep)

    return on_rgb(image, apply)
