"""charcoal: a dark, heavy-stroked drawing from the pencil sketch with deepened shadows."""

from __future__ import annotations

from PIL import Image, ImageOps

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.pencil_sketch import dodge_sketch
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["charcoal"]


@register("charcoal", version=1, params=NoParams, summary="charcoal drawing", regional=True)
def charcoal(image: Image.Image, params: NoParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        sketch = dodge_sketch(rgb, 3.0)
        table = [round(255 * (v / 255) ** 3.0) for v in range(256)]
        return ImageOps.autocontrast(sketch.point(table), cutoff=1).convert("RGB")

    return on_rgb(image, apply)
