"""Synthetic pictures shared by the AI Tools tests."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from tests.conftest import IN_CI


@pytest.fixture
def photo() -> Image.Image:
    """640x480 photo-like scene: sky gradient, green ground, a red disc and a yellow box, deterministic noise."""
    w, h = 640, 480
    y = np.linspace(0, 1, h)[:, None]
    sky = np.stack([90 + 100 * y, 150 + 70 * y, 235 - 20 * y], -1) * np.ones((h, w, 1))
    sky[int(h * 0.6) :] = [70, 140, 60]
    image = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse([96, 58, 224, 182], fill=(220, 40, 40))
    draw.rectangle([352, 216, 544, 384], fill=(240, 210, 40))
    noise = np.random.default_rng(7).normal(0, 4, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


@pytest.fixture
def product() -> Image.Image:
    """600x450: a dark red rounded box left of centre on a plain light-grey backdrop."""
    image = Image.new("RGB", (600, 450), (236, 236, 236))
    ImageDraw.Draw(image).rounded_rectangle([100, 120, 300, 360], 24, fill=(150, 20, 30))
    return image


def _photos() -> Any:
    """scikit-image's data module, whose wheel ships real photographs (a test dependency in pyproject.toml)."""
    try:
        return importlib.import_module("skimage.data")
    except ImportError:
        if IN_CI:
            pytest.fail("scikit-image is missing: it is a test dependency (pip install -e .[test])")
        pytest.skip("scikit-image is missing (pip install -e .[test])")


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    """A real portrait: scikit-image's astronaut (Eileen Collins, NASA, public domain), 512x512, cluttered backdrop."""
    return Image.fromarray(_photos().astronaut())


@pytest.fixture(scope="session")
def coffee() -> Image.Image:
    """A real photo with no face: scikit-image's cup of coffee on a table (public domain), 600x400."""
    return Image.fromarray(_photos().coffee())
