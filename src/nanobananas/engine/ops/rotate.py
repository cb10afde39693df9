"""rotate: any angle, positive is clockwise; multiples of 90 are exact pixel transposes."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["RotateParams", "rotate"]

_EXACT = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


class RotateParams(OpParams):
    degrees: float = Field(ge=-3600, le=3600)
    expand: bool = True
    fill: Color = "#ffffff"


@register("rotate", version=1, params=RotateParams, summary="rotate clockwise by degrees")
def rotate(image: Image.Image, params: RotateParams) -> Image.Image:
    image = normalize_mode(image)
    turn = params.degrees % 360
    if turn == 0:
        return image.copy()
    if turn in _EXACT:
        return image.transpose(_EXACT[int(turn)])
    fill: tuple[int, ...] = rgb_of(params.fill) + ((0,) if image.mode == "RGBA" else ())
    # PIL turns counterclockwise for positive angles.
    return image.rotate(-turn, resample=Image.Resampling.BICUBIC, expand=params.expand, fillcolor=fill)
