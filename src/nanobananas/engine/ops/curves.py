"""curves: named looks (moody, vintage, cinematic, vivid, fade, matte, dramatic) as tone curves."""

from __future__ import annotations

from typing import Literal

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb, to_float
from nanobananas.engine.ops._tone import apply_luts, curve_lut, scale_saturation
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["CURVE_PRESETS", "CurvesParams", "curves"]

CurvePreset = Literal["moody", "vintage", "cinematic", "vivid", "fade", "matte", "dramatic"]

Points = list[tuple[float, float]]

_S: Points = [(0, 0), (64, 52), (128, 128), (192, 204), (255, 255)]
_STRONG_S: Points = [(0, 0), (64, 40), (128, 128), (192, 216), (255, 255)]

# preset -> (red points, green points, blue points, saturation factor)
CURVE_PRESETS: dict[str, tuple[Points, Points, Points, float]] = {
    "vivid": (_S, _S, _S, 1.35),
    "dramatic": (_STRONG_S, _STRONG_S, _STRONG_S, 0.85),
    "moody": (
        [(0, 0), (64, 44), (128, 112), (192, 180), (255, 235)],
        [(0, 4), (64, 48), (128, 116), (192, 184), (255, 238)],
        [(0, 14), (64, 58), (128, 124), (192, 188), (255, 240)],
        0.75,
    ),
    "vintage": (
        [(0, 40), (128, 140), (255, 240)],
        [(0, 30), (128, 128), (255, 228)],
        [(0, 30), (128, 110), (255, 200)],
        0.8,
    ),
    "cinematic": (
        [(0, 0), (64, 48), (128, 130), (192, 210), (255, 250)],
        [(0, 8), (64, 58), (128, 126), (192, 196), (255, 245)],
        [(0, 24), (64, 72), (128, 124), (192, 180), (255, 225)],
        0.9,
    ),
    "fade": (
        [(0, 45), (255, 230)],
        [(0, 45), (255, 230)],
        [(0, 48), (255, 228)],
        0.85,
    ),
    "matte": (
        [(0, 30), (64, 70), (128, 128), (255, 250)],
        [(0, 30), (64, 70), (128, 128), (255, 250)],
        [(0, 30), (64, 70), (128, 128), (255, 250)],
        0.95,
    ),
}


class CurvesParams(OpParams):
    preset: CurvePreset
    strength: float = Field(default=1.0, gt=0, le=1)


@register("curves", version=1, params=CurvesParams, summary="a named colour look", regional=True)
def curves(image: Image.Image, params: CurvesParams) -> Image.Image:
    red, green, blue, factor = CURVE_PRESETS[params.preset]

    def apply(rgb: Image.Image) -> Image.Image:
        looked = apply_luts(rgb, curve_lut(red), curve_lut(green), curve_lut(blue))
        looked = scale_saturation(to_float(looked), factor)
        return Image.blend(rgb, looked, params.strength) if params.strength < 1 else looked

    return on_rgb(image, apply)
