"""Combine several images into one: side by side, stacked, or a grid, on a shared background."""

from __future__ import annotations

import math
from typing import Literal

from PIL import Image

from nanobananas.engine.errors import OperationError

__all__ = ["COMPOSE_VERSION", "POSITIONS", "Layout", "compose", "overlay", "place_on_background"]

COMPOSE_VERSION = 1
Layout = Literal["horizontal", "vertical", "grid"]
POSITIONS = ("top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right")


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


def overlay(
    base: Image.Image, mark: Image.Image, *, position: str = "bottom-right", scale: float = 0.2, margin: float = 0.03
) -> Image.Image:
    """Paste `mark` (a logo, keeping its transparency) onto `base`: `scale` of the base's width, at a
    position word such as "top-left" or "center", `margin` of the width away from the edges."""
    if position not in POSITIONS:
        raise OperationError(f"unknown position {position!r}; use one of {', '.join(POSITIONS)}")
    if not 0 < scale <= 1:
        raise OperationError("the logo's size must be a share of the picture's width between 0 and 1")
    width = max(1, round(base.width * scale))
    height = max(1, round(mark.height * width / mark.width))
    if height > base.height:
        height = base.height
        width = max(1, round(mark.width * height / mark.height))
    logo = mark.convert("RGBA").resize((width, height), Image.Resampling.LANCZOS)
    gap = round(base.width * margin)
    vertical, _, horizontal = position.partition("-") if "-" in position else (position, "", position)
    x = {"left": gap, "right": base.width - width - gap}.get(horizontal, (base.width - width) // 2)
    y = {"top": gap, "bottom": base.height - height - gap}.get(vertical, (base.height - height) // 2)
    result = base.convert("RGBA")
    result.alpha_composite(logo, (x, y))
    return result if base.mode == "RGBA" else result.convert("RGB")


def place_on_background(subject: Image.Image, background: Image.Image) -> Image.Image:
    """Put a cut-out `subject` (RGBA) in front of `background`, which is cropped to the subject's
    frame so the subject keeps its size and place."""
    if subject.mode != "RGBA":
        raise OperationError("the subject must be cut out first (it needs transparency)")
    scale = max(subject.width / background.width, subject.height / background.height)
    resized = background.convert("RGB").resize(
        (max(1, round(background.width * scale)), max(1, round(background.height * scale))), Image.Resampling.LANCZOS
    )
    left = (resized.width - subject.width) // 2
    top = (resized.height - subject.height) // 2
    canvas = resized.crop((left, top, left + subject.width, top + subject.height)).convert("RGBA")
    canvas.alpha_composite(subject)
    return canvas.convert("RGB")
