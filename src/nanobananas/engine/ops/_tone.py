"""Shared tone helpers: lookup tables applied per channel and saturation blending."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import FloatArray, from_float

__all__ = ["apply_luts", "curve_lut", "luma", "scale_saturation"]


def luma(pixels: FloatArray) -> FloatArray:
    """ITU-R BT.601 luma of an (h, w, 3) array."""
    return (pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114).astype(np.float32)


def curve_lut(points: Sequence[tuple[float, float]]) -> list[int]:
    """A 256-entry table through the given (input, output) points, linear in between."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    values = np.interp(np.arange(256), xs, ys)
    return [int(v) for v in np.clip(np.rint(values), 0, 255)]


def apply_luts(image: Image.Image, red: list[int], green: list[int], blue: list[int]) -> Image.Image:
    """Apply one table per channel to an RGB image."""
    return image.convert("RGB").point(red + green + blue)


def scale_saturation(pixels: FloatArray, factor: float | FloatArray) -> Image.Image:
    """Move each pixel away from (factor > 1) or towards (factor < 1) its own grey."""
    gray = luma(pixels)[..., None]
    if isinstance(factor, np.ndarray) and factor.ndim == 2:
        factor = factor[..., None]
    return from_float(gray + (pixels - gray) * factor)
