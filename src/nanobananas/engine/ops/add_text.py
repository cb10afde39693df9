"""add_text: words on the image at a named position and size, with outline or shadow for legibility."""

from __future__ import annotations

from PIL import Image, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._fonts import FontName
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._text import (
    Position,
    SizeWord,
    auto_ink,
    draw_text_block,
    fit_font,
    place,
)
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["AddTextParams", "add_text"]


class AddTextParams(OpParams):
    text: str = Field(min_length=1, max_length=500)
    position: Position = "center"
    size: SizeWord = "medium"
    color: Color | None = None
    outline: bool = True
    shadow: bool = False
    font: FontName = "roboto"


@register("add_text", version=1, params=AddTextParams, summary="write text on the image")
def add_text(image: Image.Image, params: AddTextParams) -> Image.Image:
    image = normalize_mode(image)
    result = image.convert("RGBA")
    layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    text, face = fit_font(draw, params.text, result.size, params.size, params.font)
    left, top, right, bottom = (int(v) for v in draw.multiline_textbbox((0, 0), text, font=face, align="center"))
    box = (right - left, bottom - top)
    margin = max(4, round(min(result.size) * 0.04))
    origin = place(result.size, box, params.position, margin)
    ink, edge = auto_ink(image, (origin[0], origin[1], origin[0] + box[0], origin[1] + box[1]))
    if params.color is not None:
        ink = rgb_of(params.color)
        edge = (0, 0, 0) if sum(ink) > 380 else (255, 255, 255)
    draw_text_block(
        draw,
        origin,
        text,
        face,
        (*ink, 255),
        (*edge, 255) if params.outline else None,
        params.shadow,
    )
    result.alpha_composite(layer)
    return result if image.mode == "RGBA" else result.convert("RGB")
