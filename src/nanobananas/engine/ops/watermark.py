"""watermark: semi-transparent text in a corner, or tiled diagonally over the whole image."""

from __future__ import annotations

from PIL import Image, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._fonts import load_font
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._text import Position, SizeWord, fit_font, place
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["WatermarkParams", "watermark"]


class WatermarkParams(OpParams):
    text: str = Field(min_length=1, max_length=200)
    opacity: float = Field(default=0.35, gt=0, le=1)
    tiled: bool = False
    position: Position = "bottom-right"
    size: SizeWord = "small"
    color: Color = "#ffffff"


@register("watermark", version=1, params=WatermarkParams, summary="semi-transparent text mark")
def watermark(image: Image.Image, params: WatermarkParams) -> Image.Image:
    image = normalize_mode(image)
    result = image.convert("RGBA")
    alpha = round(255 * params.opacity)
    fill = (*rgb_of(params.color), alpha)
    if params.tiled:
        face = load_font("roboto", max(12, round(min(result.size) * 0.06)))
        probe = ImageDraw.Draw(result)
        left, top, right, bottom = (int(v) for v in probe.textbbox((0, 0), params.text, font=face))
        tile = Image.new(
            "RGBA",
            (right - left + round(face.size) * 2, bottom - top + round(face.size) * 2),
            (0, 0, 0, 0),
        )
        ImageDraw.Draw(tile).text((face.size - left, face.size - top), params.text, font=face, fill=fill)
        tile = tile.rotate(30, expand=True, resample=Image.Resampling.BICUBIC)
        layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
        for y in range(0, result.height, tile.height):
            for x in range(-(y // 2) % tile.width - tile.width, result.width, tile.width):
                layer.alpha_composite(tile, (max(x, 0), y), (max(0, -x), 0))
    else:
        layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        text, face = fit_font(draw, params.text, result.size, params.size, "roboto")
        left, top, right, bottom = (int(v) for v in draw.multiline_textbbox((0, 0), text, font=face))
        margin = max(4, round(min(result.size) * 0.03))
        x, y = place(result.size, (right - left, bottom - top), params.position, margin)
        draw.multiline_text((x - left, y - top), text, font=face, fill=fill, align="center")
    result.alpha_composite(layer)
    return result if image.mode == "RGBA" else result.convert("RGB")
