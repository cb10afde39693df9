"""sharpen: unsharp mask; amount 1.0 adds 100% of the detail found at `radius`."""

from __future__ import annotations

from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["SharpenParams", "sharpen"]


class SharpenParams(OpParams):
    amount: float = Field(default=1.0, gt=0, le=5)
    radius: float = Field(default=1.0, gt=0, le=50)


@register("sharpen", version=1, params=SharpenParams, summary="unsharp-mask sharpening", regional=True)
def sharpen(image: Image.Image, params: SharpenParams) -> Image.Image:
    unsharp = ImageFilter.UnsharpMask(radius=params.radius, percent=round(params.amount * 100), threshold=0)
    return on_rgb(image, lambda rgb: rgb.filter(unsharp))
