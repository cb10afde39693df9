"""saturation: relative change of colourfulness, -1 is grey, +0.5 is 50% more colourful."""

from __future__ import annotations

from PIL import Image, ImageEnhance
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["SaturationParams", "saturation"]


class SaturationParams(OpParams):
    amount: float = Field(ge=-1, le=5)


@register("saturation", version=1, params=SaturationParams, summary="more or less colour", regional=True)
def saturation(image: Image.Image, params: SaturationParams) -> Image.Image:
    return on_rgb(image, lambda rgb: ImageEnhance.Color(rgb).enhance(1 + params.amount))
