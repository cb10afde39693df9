"""grayscale: black and white; the result stays RGB(A) with R == G == B."""

from __future__ import annotations

from PIL import Image

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["grayscale"]


@register("grayscale", version=1, params=NoParams, summary="black and white", regional=True)
def grayscale(image: Image.Image, params: NoParams) -> Image.Image:
    return on_rgb(image, lambda rgb: rgb.convert("L").convert("RGB"))
