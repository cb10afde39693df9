"""draw_shape: a crisp, anti-aliased shape (star, heart, arrow, circle, rectangle, triangle) at a named place."""

from __future__ import annotations

import math
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._text import Position, place
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["DrawShapeParams", "draw_shape"]

Shape = Literal["star", "heart", "arrow", "circle", "square", "rectangle", "triangle"]
# Drawn this many times larger and scaled down: the edges come out smooth without blurring the shape.
_SUPERSAMPLE = 4


class DrawShapeParams(OpParams):
    shape: Shape
    color: Color = "#ff0000"
    position: Position = "center"
    size: float = Field(default=0.22, gt=0.02, le=1, description="height, share of the shorter side")


def _outline(shape: Shape, side: int) -> list[tuple[float, float]]:
    """The shape's polygon inside a side x side square (rectangles are 3:2 and use its width)."""
    half = side / 2
    if shape == "star":
        return [
            (
                half + (half if point % 2 == 0 else half * 0.4) * math.sin(point * math.pi / 5),
                half * 1.08 - (half if point % 2 == 0 else half * 0.4) * math.cos(point * math.pi / 5),
            )
            for point in range(10)
        ]
    if shape == "heart":
        points = []
        for step in range(120):
            t = step / 120 * 2 * math.pi
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            points.append((half + x * half / 17, half * 0.9 - y * half / 17))
        return points
    if shape == "arrow":
        return [(0, side * 0.35), (side * 0.6, side * 0.35), (side * 0.6, side * 0.12), (side, half),
                (side * 0.6, side * 0.88), (side * 0.6, side * 0.65), (0, side * 0.65)]  # fmt: skip
    if shape == "triangle":
        return [(half, side * 0.05), (side, side * 0.92), (0, side * 0.92)]
    if shape == "rectangle":
        return [(0, side * 0.17), (side, side * 0.17), (side, side * 0.83), (0, side * 0.83)]
    return [(0, 0), (side, 0), (side, side), (0, side)]


@register("draw_shape", version=1, params=DrawShapeParams, summary="draw a shape at a named place")
def draw_shape(image: Image.Image, params: DrawShapeParams) -> Image.Image:
    image = normalize_mode(image)
    side = max(4, round(min(image.size) * params.size))
    big = side * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    if params.shape == "circle":
        draw.ellipse([0, 0, big - 1, big - 1], fill=255)
    else:
        draw.polygon(_outline(params.shape, big), fill=255)
    mask = mask.resize((side, side), Image.Resampling.LANCZOS)
    result = image.copy()
    paint = Image.new(image.mode, (side, side), (*rgb_of(params.color), 255)[: len(image.mode)])
    result.paste(paint, place(image.size, (side, side), params.position, max(4, round(min(image.size) * 0.04))), mask)
    return result
