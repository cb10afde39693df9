"""Drawing primitives for designs and scenes: gradients, glows and anti-aliased shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw

__all__ = [
    "RGB",
    "blend",
    "fill_ellipse",
    "fill_polygon",
    "fill_rounded_rectangle",
    "glow",
    "ring",
    "vertical_gradient",
]

RGB = tuple[int, int, int]

_SUPERSAMPLE = 4


def blend(a: RGB, b: RGB, t: float) -> RGB:
    """Mix two colours: t=0 gives `a`, t=1 gives `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def vertical_gradient(width: int, height: int, stops: Sequence[tuple[float, RGB]]) -> np.ndarray:
    """A float32 H x W x 3 array that runs through colour `stops` (position 0..1 from the top)."""
    positions = np.array([p for p, _ in stops], dtype=np.float32)
    colours = np.array([c for _, c in stops], dtype=np.float32)
    y = np.linspace(0.0, 1.0, max(1, height), dtype=np.float32)
    column = np.stack([np.interp(y, positions, colours[:, ch]) for ch in range(3)], axis=-1)
    return np.broadcast_to(column[:, None, :], (max(1, height), max(1, width), 3)).copy()


def glow(canvas: np.ndarray, centre: tuple[float, float], radius: float, colour: RGB, strength: float) -> None:
    """Lighten `canvas` in place towards `colour` with a soft radial falloff."""
    height, width = canvas.shape[:2]
    cx, cy = centre
    x0, x1 = max(0, int(cx - radius)), min(width, int(cx + radius) + 1)
    y0, y1 = max(0, int(cy - radius)), min(height, int(cy + radius) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    # the falloff is smooth, so it is computed on a coarse grid and scaled up
    step = 4
    yy, xx = np.ogrid[y0:y1:step, x0:x1:step]
    distance = np.sqrt(((xx - cx) ** 2 + (yy - cy) ** 2).astype(np.float32)) / max(radius, 1e-6)
    coarse = (np.clip(1.0 - distance, 0.0, 1.0) ** 2 * strength).astype(np.float32)
    weight = np.asarray(Image.fromarray(coarse, "F").resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR))
    region = canvas[y0:y1, x0:x1]
    region += (np.array(colour, dtype=np.float32) - region) * weight[..., None]


def _paste_shape(
    image: Image.Image,
    bounds: tuple[float, float, float, float],
    fill: RGB,
    opacity: float,
    draw_mask: Callable[[ImageDraw.ImageDraw, int, int], None],
) -> None:
    """Draw a shape on a supersampled mask of its bounds only, then paste it with that mask as coverage."""
    left, top = int(np.floor(bounds[0])), int(np.floor(bounds[1]))
    right, bottom = int(np.ceil(bounds[2])) + 1, int(np.ceil(bounds[3])) + 1
    left_c, top_c = max(0, left), max(0, top)
    right_c, bottom_c = min(image.width, right), min(image.height, bottom)
    if left_c >= right_c or top_c >= bottom_c:
        return
    w, h = right - left, bottom - top
    mask = Image.new("L", (w * _SUPERSAMPLE, h * _SUPERSAMPLE), 0)
    draw_mask(ImageDraw.Draw(mask), left, top)
    mask = mask.resize((w, h), Image.Resampling.BOX)
    if opacity < 1.0:
        mask = mask.point(lambda v: int(v * opacity))
    mask = mask.crop((left_c - left, top_c - top, right_c - left, bottom_c - top))
    image.paste(fill, (left_c, top_c, right_c, bottom_c), mask)


def _scaled(points: Sequence[tuple[float, float]], left: int, top: int) -> list[tuple[float, float]]:
    return [((x - left) * _SUPERSAMPLE, (y - top) * _SUPERSAMPLE) for x, y in points]


def fill_ellipse(image: Image.Image, box: tuple[float, float, float, float], fill: RGB, opacity: float = 1.0) -> None:
    """An anti-aliased filled ellipse inside `box`."""

    def draw_mask(draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
        (x0, y0), (x1, y1) = _scaled([(box[0], box[1]), (box[2], box[3])], left, top)
        draw.ellipse((x0, y0, x1, y1), fill=255)

    _paste_shape(image, box, fill, opacity, draw_mask)


def ring(
    image: Image.Image, box: tuple[float, float, float, float], fill: RGB, width: float, opacity: float = 1.0
) -> None:
    """An anti-aliased circle outline of `width` pixels inside `box`."""

    def draw_mask(draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
        (x0, y0), (x1, y1) = _scaled([(box[0], box[1]), (box[2], box[3])], left, top)
        draw.ellipse((x0, y0, x1, y1), outline=255, width=max(1, int(width * _SUPERSAMPLE)))

    _paste_shape(image, box, fill, opacity, draw_mask)


def fill_polygon(image: Image.Image, points: Sequence[tuple[float, float]], fill: RGB, opacity: float = 1.0) -> None:
    """An anti-aliased filled polygon."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]

    def draw_mask(draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
        draw.polygon(_scaled(points, left, top), fill=255)

    _paste_shape(image, (min(xs), min(ys), max(xs), max(ys)), fill, opacity, draw_mask)


def fill_rounded_rectangle(
    image: Image.Image, box: tuple[float, float, float, float], radius: float, fill: RGB, opacity: float = 1.0
) -> None:
    """An anti-aliased filled rectangle with rounded corners."""

    def draw_mask(draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
        (x0, y0), (x1, y1) = _scaled([(box[0], box[1]), (box[2], box[3])], left, top)
        draw.rounded_rectangle((x0, y0, x1, y1), radius=radius * _SUPERSAMPLE, fill=255)

    _paste_shape(image, box, fill, opacity, draw_mask)
