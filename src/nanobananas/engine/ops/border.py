"""border: a solid frame of a given colour and width added around the image."""

from __future__ import annotations

from PIL import Image, ImageOps
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["BorderParams", "border"]


class BorderParams(OpParams):
    width: int = Field(default=20, ge=1, le=2000)
    color: Color = "#ffffff"


@register(
    "border",
    version=1,
    params=BorderParams,
    summary="add a solid border around the image",
)
def border(image: Image.Image, params: BorderParams) -> Image.Image:
    image = normalize_mode(image)
    fill: tuple[int, ...] = rgb_of(params.color) + ((255,) if image.mode == "RGBA" else ())
    return ImageOps.expand(image, border=params.width, fill=fill)
