"""brightness: relative change, +0.10 is 10% brighter, -0.2 is 20% darker."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["BrightnessParams", "brightness"]


class BrightnessParams(OpParams):
    amount: float = Field(ge=-1, le=5)


@register("brightness", version=1, params=BrightnessParams, summary="brighten or darken", regional=True)
def brightness(image: Image.Image, params: BrightnessParams) -> Image.Image:
    factor = 1 + params.amount
    table = [min(255, max(0, round(v * factor))) for v in range(256)]
    return on_rgb(image, lambda rgb: rgb.point(table * 3))
