"""Combine several images into one: side by side, stacked, or a grid, on a shared background."""

from __future__ import annotations

import math
from typing import Literal

from PIL import Image

from nanobananas.engine.errors import OperationError

__all__ = ["COMPOSE_VERSION", "Layout", "compose"]

COMPOSE_VERSION = 1
Layout = Literal["horizontal", "vertical", "grid"]


def _fit_height(image: Image.Image, height: int) -> Image.Image:
    width = max(1, round(image.width * height / image.height))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _fit_width(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def compose(
    images: list[Image.Image],
    *,
    layout: Layout = "horizontal",
    gap: int = 0,
    background: tuple[int, int, int] = (255, 255, 255),
) -> Image.Image:
    """Lay the images out in order. Horizontal scales all to the smallest height, vertical to the
    smallest width; a grid uses square-ish rows of cells sized to the smallest image."""
    if len(images) < 2:
        raise OperationError("combining needs at least two images")
    if gap < 0:
        raise OperationError("the gap between images cannot be negative")
    mode = "RGBA" if any(i.mode == "RGBA" for i in images) else "RGB"
    fill = (*background, 255) if mode == "RGBA" else background
    prepared = [i.convert(mode) for i in images]
    if layout == "horizontal":
        height = min(i.height for i in prepared)
        parts = [_fit_height(i, height) for i in prepared]
        canvas = Image.new(mode, (sum(p.width for p in parts) + gap * (len(parts) - 1), height), fill)
        x = 0
        for part in parts:
            canvas.paste(part, (x, 0))
            x += part.width + gap
        return canvas
    if layout == "vertical":
        width = min(i.width for i in prepared)
        parts = [_fit_width(i, width) for i in prepared]
        canvas = Image.new(mode, (width, sum(p.height for p in parts) + gap * (len(parts) - 1)), fill)
        y = 0
        for part in parts:
            canvas.paste(part, (0, y))
            y += part.height + gap
        return canvas
    columns = math.ceil(math.sqrt(len(prepared)))
    rows = math.ceil(len(prepared) / columns)
    cell_w = min(i.width for i in prepared)
    cell_h = min(i.height for i in prepared)
    canvas = Image.new(mode, (columns * cell_w + gap * (columns - 1), rows * cell_h + gap * (rows - 1)), fill)
    for index, image in enumerate(prepared):
        scale = min(cell_w / image.width, cell_h / image.height)
        part = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
        )
        row, column = divmod(index, columns)
        x = column * (cell_w + gap) + (cell_w - part.width) // 2
        y = row * (cell_h + gap) + (cell_h - part.height) // 2
        canvas.paste(part, (x, y))
    return canvas
