"""caption_bar: a solid band added above or below the picture with a centred caption."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._fonts import load_font
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["CaptionBarParams", "caption_bar"]


class CaptionBarParams(OpParams):
    text: str = Field(min_length=1, max_length=300)
    position: Literal["top", "bottom"] = "bottom"
    background: Color = "#000000"
    color: Color | None = None


@register(
    "caption_bar",
    version=1,
    params=CaptionBarParams,
    summary="caption band above or below",
)
def caption_bar(image: Image.Image, params: CaptionBarParams) -> Image.Image:
    image = normalize_mode(image)
    bar_height = max(24, round(image.height * 0.12))
    background = rgb_of(params.background)
    ink = rgb_of(params.color) if params.color else ((0, 0, 0) if sum(background) > 380 else (255, 255, 255))
    pixels = round(bar_height * 0.5)
    probe = ImageDraw.Draw(image)
    while True:
        face = load_font("roboto", pixels)
        left, top, right, bottom = (int(v) for v in probe.textbbox((0, 0), params.text, font=face))
        if right - left <= image.width * 0.92 or pixels <= 8:
            break
        pixels = max(8, int(pixels * 0.9))
    canvas = Image.new(
        image.mode,
        (image.width, image.height + bar_height),
        background + ((255,) if image.mode == "RGBA" else ()),
    )
    bar_top = 0 if params.position == "top" else image.height
    canvas.paste(image, (0, bar_height if params.position == "top" else 0))
    x = (image.width - (right - left)) // 2 - left
    y = bar_top + (bar_height - (bottom - top)) // 2 - top
    ImageDraw.Draw(canvas).text((x, y), params.text, font=face, fill=ink)
    return canvas
