"""emboss: a grey relief where edges look raised, as if pressed into metal or paper."""

from __future__ import annotations

from PIL import Image, ImageFilter

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["emboss"]


@register("emboss", version=1, params=NoParams, summary="raised relief", regional=True)
def emboss(image: Image.Image, params: NoParams) -> Image.Image:
    return on_rgb(image, lambda rgb: rgb.convert("L").filter(ImageFilter.EMBOSS).convert("RGB"))
