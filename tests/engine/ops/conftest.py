"""Synthetic pictures shared by the op tests: a photo-like scene, a product shot and a gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.ops import get_operation, validate_params


def apply(name: str, image: Image.Image, **params: Any) -> Image.Image:
    """Validate params and run the op, the way the pipeline does."""
    return get_operation(name).apply(image, validate_params(name, params))


@pytest.fixture
def photo() -> Image.Image:
    """320x240: sky gradient, green ground, a red disc and a yellow box, mild deterministic noise."""
    w, h = 320, 240
    y = np.linspace(0, 1, h)[:, None]
    sky = np.stack([90 + 100 * y, 150 + 70 * y, 235 - 20 * y], -1) * np.ones((h, w, 1))
    sky[int(h * 0.6) :] = [70, 140, 60]
    image = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse([48, 29, 112, 91], fill=(220, 40, 40))
    draw.rectangle([176, 108, 272, 192], fill=(240, 210, 40))
    noise = np.random.default_rng(7).normal(0, 4, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


@pytest.fixture
def product() -> Image.Image:
    """300x300: a dark red rounded box on a plain light-grey backdrop."""
    image = Image.new("RGB", (300, 300), (236, 236, 236))
    ImageDraw.Draw(image).rounded_rectangle([75, 75, 225, 225], 20, fill=(150, 20, 30))
    return image


@pytest.fixture
def gradient() -> Image.Image:
    """64x32 horizontal grey ramp in colour (R rises, G constant, B falls)."""
    x = np.linspace(0, 255, 64)[None, :] * np.ones((32, 1))
    pixels = np.stack([x, np.full_like(x, 128), 255 - x], -1)
    return Image.fromarray(pixels.astype(np.uint8))
