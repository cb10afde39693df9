"""invert: the colour negative."""

from __future__ import annotations

from PIL import Image, ImageOps

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["invert"]


@register("invert", version=1, params=NoParams, summary="negative", regional=True)
def invert(image: Image.Image, params: NoParams) -> Image.Image:
    return on_rgb(image, ImageOps.invert)
