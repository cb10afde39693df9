"""Shared text placement: size words, position words and outlined drawing."""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nanobananas.engine.ops._fonts import FontName, load_font

__all__ = ["Position", "SizeWord", "auto_ink", "draw_text_block", "fit_font", "place"]

Position = Literal[
    "top",
    "bottom",
    "center",
    "left",
    "right",
    "top-left",
    "top-right",
    "bottom-left",
    "bottom-right",
]
SizeWord = Literal["small", "medium", "large", "huge"]

_HEIGHT_FRACTION: dict[str, float] = {
    "small": 0.05,
    "medium": 0.08,
    "large": 0.14,
    "huge": 0.22,
}


def _wrap(text: str, lines: int) -> str:
    """Break `text` into at most `lines` lines of similar length at spaces."""
    words = text.split()
    if lines <= 1 or len(words) < 2:
        return text
    target = len(text) / lines
    result: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > target and len(result) < lines - 1:
            result.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    result.append(current)
    return "\n".join(result)


def fit_font(
    draw: ImageDraw.ImageDraw,
    text: str,
    canvas: tuple[int, int],
    size: SizeWord,
    font: FontName,
) -> tuple[str, ImageFont.FreeTypeFont]:
    """The text (wrapped onto up to three lines when long) and the largest font up to the size word's
    height that fits 90% of the width and half the height."""
    pixels = max(8, round(min(canvas) * _HEIGHT_FRACTION[size]))
    while True:
        face = load_font(font, pixels)
        for lines in (1, 2, 3):
            if "\n" in text and lines > 1:
                break
            candidate = _wrap(text, lines) if "\n" not in text else text
            left, top, right, bottom = draw.multiline_textbbox((0, 0), candidate, font=face, align="center")
            if right - left <= canvas[0] * 0.9 and bottom - top <= canvas[1] * 0.5:
                return candidate, face
        if pixels <= 8:
            return candidate, face
        pixels = max(8, int(pixels * 0.9))


def place(canvas: tuple[int, int], box: tuple[int, int], position: Position, margin: int) -> tuple[int, int]:
    """Top-left corner of a `box`-sized block at `position` inside `canvas`."""
    w, h = canvas
    bw, bh = box
    x = (w - bw) // 2
    y = (h - bh) // 2
    if "left" in position:
        x = margin
    if "right" in position:
        x = w - bw - margin
    if position.startswith("top"):
        y = margin
    if position.startswith("bottom"):
        y = h - bh - margin
    return x, y


def auto_ink(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(text colour, outline colour) that stand out from the area under `box`."""
    area = image.convert("L").crop(box)
    mean = float(np.asarray(area, dtype=np.float32).mean()) if area.width and area.height else 128.0
    return ((20, 20, 20), (255, 255, 255)) if mean > 170 else ((255, 255, 255), (0, 0, 0))


def draw_text_block(
    draw: ImageDraw.ImageDraw,
    origin: tuple[int, int],
    text: str,
    face: ImageFont.FreeTypeFont,
    fill: tuple[int, ...],
    outline: tuple[int, ...] | None,
    shadow: bool,
) -> None:
    """Draw `text` with its bounding box's top-left at `origin`, with optional outline and shadow."""
    left, top, _, _ = draw.multiline_textbbox((0, 0), text, font=face, align="center")
    x, y = origin[0] - left, origin[1] - top
    stroke = max(1, round(face.size / 18)) if outline is not None else 0
    if shadow:
        offset = max(2, round(face.size / 15))
        draw.multiline_text(
            (x + offset, y + offset),
            text,
            font=face,
            fill=(0, 0, 0, 160),
            align="center",
        )
    draw.multiline_text(
        (x, y),
        text,
        font=face,
        fill=fill,
        stroke_width=stroke,
        stroke_fill=outline,
        align="center",
    )
