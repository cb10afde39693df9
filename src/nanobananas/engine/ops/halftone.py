"""halftone: printed-dot look; dots on a grid sized by the darkness beneath them."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["HalftoneParams", "halftone"]


class HalftoneParams(OpParams):
    cell: int | None = Field(default=None, ge=3, le=200)
    color: bool = False


@register("halftone", version=1, params=HalftoneParams, summary="halftone dots", regional=True)
def halftone(image: Image.Image, params: HalftoneParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        cell = params.cell if params.cell is not None else max(4, round(max(rgb.size) / 100))
        cols, rows = -(-rgb.width // cell), -(-rgb.height // cell)
        small = rgb.resize((cols, rows), Image.Resampling.BOX)
        darkness = 1 - np.asarray(small.convert("L"), dtype=np.float32) / 255
        colors = np.asarray(small)
        canvas = Image.new("RGB", rgb.size, (255, 255, 255))
        draw = ImageDraw.Draw(canvas)
        for row in range(rows):
            for col in range(cols):
                radius = cell * 0.71 * float(np.sqrt(darkness[row, col]))
                if radius < 0.3:
                    continue
                cx, cy = col * cell + cell / 2, row * cell + cell / 2
                fill = tuple(int(v) for v in colors[row, col]) if params.color else (0, 0, 0)
                draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
        return canvas

    return on_rgb(image, apply)
