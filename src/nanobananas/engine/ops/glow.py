"""glow: a soft, dreamy bloom made by screening a blurred copy over the picture."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["GlowParams", "glow"]


class GlowParams(OpParams):
    amount: float = Field(default=0.5, gt=0, le=1)
    radius: float = Field(default=12.0, gt=0, le=200)


@register("glow", version=1, params=GlowParams, summary="soft glow", regional=True)
def glow(image: Image.Image, params: GlowParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        bloom = ImageChops.screen(rgb, rgb.filter(ImageFilter.GaussianBlur(params.radius)))
        return Image.blend(rgb, bloom, params.amount)

    return on_rgb(image, apply)
