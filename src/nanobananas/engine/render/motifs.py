"""Decorative drawings for layouts: stars, moons, suns, flowers, hearts, cups, balloons, confetti."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from PIL import Image

from nanobananas.engine.render.shapes import (
    RGB,
    blend,
    fill_ellipse,
    fill_polygon,
    fill_rounded_rectangle,
    ring,
)
from nanobananas.engine.render.text import Box

__all__ = [
    "MOTIFS",
    "balloon",
    "confetti",
    "crescent",
    "cup",
    "flower",
    "heart",
    "sparkle",
    "star",
    "sun",
    "theme_motif",
]


def star(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, points: int = 5) -> None:
    vertices = []
    for i in range(points * 2):
        radius = r if i % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + i * math.pi / points
        vertices.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    fill_polygon(image, vertices, colour)


def sparkle(image: Image.Image, cx: float, cy: float, r: float, colour: RGB) -> None:
    vertices = []
    for i in range(8):
        radius = r if i % 2 == 0 else r * 0.22
        angle = -math.pi / 2 + i * math.pi / 4
        vertices.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    fill_polygon(image, vertices, colour)


def crescent(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    fill_ellipse(image, (cx - r, cy - r, cx + r, cy + r), colour)
    off = r * 0.45
    fill_ellipse(image, (cx - r + off, cy - r - off * 0.4, cx + r + off, cy + r - off * 0.4), behind)


def sun(image: Image.Image, cx: float, cy: float, r: float, colour: RGB) -> None:
    for i in range(12):
        angle = i * math.pi / 6
        inner, outer, half = r * 1.25, r * 1.7, math.pi / 30
        fill_polygon(
            image,
            [
                (cx + inner * math.cos(angle - half), cy + inner * math.sin(angle - half)),
                (cx + outer * math.cos(angle), cy + outer * math.sin(angle)),
                (cx + inner * math.cos(angle + half), cy + inner * math.sin(angle + half)),
            ],
            colour,
        )
    fill_ellipse(image, (cx - r, cy - r, cx + r, cy + r), colour)


def flower(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, centre: RGB) -> None:
    petal = r * 0.48
    for i in range(6):
        angle = i * math.pi / 3
        px, py = cx + r * 0.52 * math.cos(angle), cy + r * 0.52 * math.sin(angle)
        fill_ellipse(image, (px - petal, py - petal, px + petal, py + petal), colour)
    fill_ellipse(image, (cx - r * 0.34, cy - r * 0.34, cx + r * 0.34, cy + r * 0.34), centre)


def heart(image: Image.Image, cx: float, cy: float, r: float, colour: RGB) -> None:
    vertices = []
    for i in range(60):
        t = 2 * math.pi * i / 60
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        vertices.append((cx + x * r / 16, cy - y * r / 16))
    fill_polygon(image, vertices, colour)


def cup(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    """A cup on a saucer with two wisps of steam."""
    body = (cx - r * 0.62, cy - r * 0.3, cx + r * 0.5, cy + r * 0.55)
    ring(image, (cx + r * 0.28, cy - r * 0.12, cx + r * 0.86, cy + r * 0.38), colour, r * 0.12)
    fill_rounded_rectangle(image, body, r * 0.22, colour)
    fill_ellipse(image, (cx - r * 0.95, cy + r * 0.5, cx + r * 0.83, cy + r * 0.72), colour)
    for dx in (-0.3, 0.08):
        for k in range(6):
            y = cy - r * 0.42 - k * r * 0.09
            x = cx + r * dx + math.sin(k * 1.1) * r * 0.07
            d = r * 0.06
            fill_ellipse(image, (x - d, y - d, x + d, y + d), blend(colour, behind, 0.35))


def balloon(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, string: RGB) -> None:
    for k in range(40):
        t = k / 40
        x = cx + math.sin(t * 9) * r * 0.12
        y = cy + r * 1.2 + t * r * 2.2
        d = max(1.0, r * 0.02)
        fill_ellipse(image, (x - d, y - d, x + d, y + d), string)
    fill_polygon(image, [(cx, cy + r * 1.12), (cx - r * 0.14, cy + r * 1.3), (cx + r * 0.14, cy + r * 1.3)], colour)
    fill_ellipse(image, (cx - r * 0.85, cy - r, cx + r * 0.85, cy + r * 1.2), colour)
    shine = blend(colour, (255, 255, 255), 0.55)
    fill_ellipse(image, (cx - r * 0.5, cy - r * 0.6, cx - r * 0.22, cy - r * 0.1), shine)


def confetti(
    image: Image.Image,
    rng: random.Random,
    colours: Sequence[RGB],
    *,
    count: int,
    size: float,
    keep_clear: Sequence[Box] = (),
) -> None:
    """Scatter dots, strips and triangles over the page, leaving `keep_clear` boxes untouched."""
    placed = 0
    for _ in range(count * 6):
        if placed >= count:
            break
        x, y = rng.uniform(0, image.width), rng.uniform(0, image.height)
        s = size * rng.uniform(0.55, 1.25)
        if any(b[0] - s * 1.5 < x < b[2] + s * 1.5 and b[1] - s * 1.5 < y < b[3] + s * 1.5 for b in keep_clear):
            continue
        colour = colours[rng.randrange(len(colours))]
        shape = rng.randrange(3)
        angle = rng.uniform(0, math.pi)
        if shape == 0:
            fill_ellipse(image, (x - s * 0.5, y - s * 0.5, x + s * 0.5, y + s * 0.5), colour)
        elif shape == 1:
            dx, dy = math.cos(angle) * s, math.sin(angle) * s
            nx, ny = -dy * 0.28, dx * 0.28
            fill_polygon(
                image,
                [
                    (x - dx - nx, y - dy - ny),
                    (x + dx - nx, y + dy - ny),
                    (x + dx + nx, y + dy + ny),
                    (x - dx + nx, y - dy + ny),
                ],
                colour,
            )
        else:
            fill_polygon(
                image,
                [
                    (x + s * 0.7 * math.cos(angle + k * 2.094), y + s * 0.7 * math.sin(angle + k * 2.094))
                    for k in range(3)
                ],
                colour,
            )
        placed += 1


def _star_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    star(image, cx, cy, r, colour)


def _sparkle_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    sparkle(image, cx, cy, r, colour)
    sparkle(image, cx + r * 0.95, cy - r * 0.7, r * 0.4, colour)


def _sun_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    sun(image, cx, cy, r * 0.55, colour)


def _heart_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    heart(image, cx, cy, r, colour)


def _moon_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    crescent(image, cx, cy, r * 0.8, colour, behind)
    star(image, cx + r * 0.75, cy - r * 0.55, r * 0.22, colour)
    star(image, cx + r * 0.55, cy + r * 0.35, r * 0.13, colour)


def _flower_motif(image: Image.Image, cx: float, cy: float, r: float, colour: RGB, behind: RGB) -> None:
    flower(image, cx, cy, r, colour, blend(colour, behind, 0.6))


MOTIFS: dict[str, Callable[[Image.Image, float, float, float, RGB, RGB], None]] = {
    "star": _star_motif,
    "sparkle": _sparkle_motif,
    "sun": _sun_motif,
    "heart": _heart_motif,
    "moon": _moon_motif,
    "flower": _flower_motif,
    "cup": cup,
}

_THEME_MOTIFS = {
    "night": "moon",
    "coffee": "cup",
    "bakery": "cup",
    "wedding": "heart",
    "garden": "flower",
    "wellness": "flower",
    "summer": "sun",
    "sale": "star",
    "birthday": "star",
    "holiday": "star",
    "music": "sparkle",
    "tech": "sparkle",
    "kids": "star",
    "autumn": "sun",
    "outdoors": "sun",
    "dusk": "sun",
    "dawn": "sun",
    "food": "cup",
}


def theme_motif(theme: str, rng: random.Random) -> str:
    """The motif that suits a theme, else a seeded choice among the neutral ones."""
    return _THEME_MOTIFS.get(theme) or rng.choice(("sparkle", "star", "sun"))
