"""Synthetic scenes with a known subject for the background remover: one red vase on four backgrounds.

Shared by tests/engine/ops/test_cutout.py and benchmarks/bench_cutout.py, so the figures in `make bench`
are the ones the tests hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["BACKGROUNDS", "PHOTOS", "PHOTO_FOLDER", "intersection_over_union", "photo", "scene", "vase"]

BACKGROUNDS = ("plain", "gradient", "table", "cluttered")
PHOTO_FOLDER = Path(__file__).resolve().parents[2] / "data" / "cutout"
# Real photographs with hand-made ground truth (tests/data/cutout/README.md says where each comes from).
PHOTOS = ("astronaut", "chelsea", "coffee", "motorcycle")
SIZE = (480, 360)


def vase(size: tuple[int, int] = SIZE) -> NDArray[np.bool_]:
    """The subject's true mask: a round body, a neck and a lip, a little below the centre."""
    w, h = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse([w * 0.34, h * 0.38, w * 0.66, h * 0.86], fill=255)
    draw.rectangle([w * 0.45, h * 0.2, w * 0.55, h * 0.5], fill=255)
    draw.ellipse([w * 0.41, h * 0.16, w * 0.59, h * 0.26], fill=255)
    return np.asarray(mask) > 127


def _background(kind: str, size: tuple[int, int], layout: int) -> NDArray[np.float64]:
    w, h = size
    rng = np.random.default_rng(layout)
    rows, columns = np.mgrid[:h, :w].astype(np.float64)
    if kind == "plain":
        return np.ones((h, w, 3)) * [232, 230, 226]
    if kind == "gradient":
        share = (rows / h)[..., None]
        return (1 - share) * np.array([250, 236, 210]) + share * np.array([170, 190, 225])
    if kind == "table":
        # Wood grain (wavy stripes with fine noise) and a darker wall above the table's edge.
        grain = np.sin(columns / 7 + 3 * np.sin(rows / 40) + 0.8 * np.sin(columns / 23)) * 0.5 + 0.5
        noise = Image.fromarray(np.clip(rng.normal(128, 20, (h, w)), 0, 255).astype(np.uint8))
        fine = np.asarray(noise.filter(ImageFilter.GaussianBlur(1)), dtype=np.float64) / 128 - 1
        wood = (0.6 + 0.4 * grain + 0.15 * fine)[..., None] * np.array([150, 98, 60])
        wood[: int(h * 0.25)] *= 0.55
        return np.asarray(wood)
    if kind == "cluttered":
        # Seventy boxes and discs in the colours of a shelf, several of them touching the vase.
        image = Image.new("RGB", size, (120, 112, 100))
        draw = ImageDraw.Draw(image)
        palette = [(40, 90, 160), (200, 200, 190), (60, 60, 60), (150, 120, 60), (90, 140, 90), (180, 160, 140)]
        for _ in range(70):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(10, 45)
            color = palette[int(rng.integers(len(palette)))]
            if rng.random() < 0.5:
                draw.rectangle([x - r, y - r * 0.6, x + r, y + r * 0.6], fill=color)
            else:
                draw.ellipse([x - r, y - r, x + r, y + r], fill=color)
        return np.asarray(image, dtype=np.float64)
    raise ValueError(f"unknown background {kind!r}; known: {', '.join(BACKGROUNDS)}")


def scene(kind: str, size: tuple[int, int] = SIZE, layout: int = 3) -> tuple[Image.Image, NDArray[np.bool_]]:
    """A shaded red vase on the named background, with mild noise, and the vase's true mask.

    `layout` seeds the random parts of the background (the grain's noise, where the clutter lies)."""
    w, h = size
    mask = vase(size)
    rows, columns = np.mgrid[:h, :w].astype(np.float64)
    shade = np.clip(1.15 - 0.45 * ((columns - w * 0.42) / (w * 0.3)) ** 2 - 0.2 * (rows / h), 0.55, 1.15)
    pixels = np.where(mask[..., None], shade[..., None] * np.array([196, 40, 48]), _background(kind, size, layout))
    pixels = pixels + np.random.default_rng(11).normal(0, 3, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), mask


def photo(name: str) -> tuple[Image.Image, NDArray[np.bool_]]:
    """A real photograph and its hand-made ground-truth mask."""
    image = Image.open(PHOTO_FOLDER / f"{name}.png").convert("RGB")
    truth = np.asarray(Image.open(PHOTO_FOLDER / f"{name}_mask.png").convert("L")) > 127
    return image, truth


def intersection_over_union(found: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    union = int((found | truth).sum())
    return int((found & truth).sum()) / union if union else 1.0
