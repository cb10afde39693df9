"""pad: extend the canvas to an aspect ratio (letterbox) instead of cropping."""

from __future__ import annotations

from PIL import Image
from pydantic import field_validator

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.crop_aspect import ratio_value
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PadParams", "pad"]


class PadParams(OpParams):
    ratio: str = "1:1"
    color: Color = "#ffffff"

    @field_validator("ratio")
    @classmethod
    def _valid_ratio(cls, value: str) -> str:
        ratio_value(value)
        return value


@register(
    "pad",
    version=1,
    params=PadParams,
    summary="pad to an aspect ratio without cropping",
)
def pad(image: Image.Image, params: PadParams) -> Image.Image:
    image = normalize_mode(image)
    ratio = ratio_value(params.ratio)
    w, h = image.size
    size = (round(h * ratio), h) if w / h < ratio else (w, round(w / ratio))
    fill: tuple[int, ...] = rgb_of(params.color) + ((255,) if image.mode == "RGBA" else ())
    canvas = Image.new(image.mode, size, fill)
    canvas.paste(image, ((size[0] - w) // 2, (size[1] - h) // 2))
    return canvas
