"""Shared pixel plumbing for ops: alpha-preserving application and numpy conversions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = [
    "FloatArray",
    "U8Array",
    "from_float",
    "normalize_mode",
    "on_rgb",
    "to_float",
]

U8Array = NDArray[np.uint8]
FloatArray = NDArray[np.float32]


def normalize_mode(image: Image.Image) -> Image.Image:
    """Return the image as RGB or RGBA (alpha kept when there is any)."""
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode in ("LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def on_rgb(image: Image.Image, transform: Callable[[Image.Image], Image.Image]) -> Image.Image:
    """Apply `transform` to the colour channels only, keeping any alpha channel as it was."""
    image = normalize_mode(image)
    if image.mode == "RGB":
        return transform(image).convert("RGB")
    rgb = transform(image.convert("RGB")).convert("RGB")
    alpha = image.getchannel("A")
    if rgb.size != alpha.size:
        alpha = alpha.resize(rgb.size, Image.Resampling.LANCZOS)
    rgb.putalpha(alpha)
    return rgb


def to_float(image: Image.Image) -> FloatArray:
    """RGB pixels as float32 in 0..255, shape (h, w, 3)."""
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def from_float(pixels: NDArray[np.floating] | U8Array) -> Image.Image:
    """Round, clip and wrap a float or uint8 (h, w, 3) or (h, w) array as an image."""
    array = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    return Image.fromarray(array)
