"""contrast: relative change around the mean grey, +0.2 is 20% more contrast."""

from __future__ import annotations

from PIL import Image, ImageEnhance
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["ContrastParams", "contrast"]


class ContrastParams(OpParams):
    amount: float = Field(ge=-1, le=5)


@register("contrast", version=1, params=ContrastParams, summary="more or less contrast", regional=True)
def contrast(image: Image.Image, params: ContrastParams) -> Image.Image:
    return on_rgb(image, lambda rgb: ImageEnhance.Contrast(rgb).enhance(1 + params.amount))
