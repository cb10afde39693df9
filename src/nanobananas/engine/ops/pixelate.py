"""pixelate: big flat square blocks, sized in pixels or as a count across the long side (default 64)."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PixelateParams", "pixelate"]


class PixelateParams(OpParams):
    block: int | None = Field(default=None, ge=2, le=1000, description="block side in pixels")
    blocks: int | None = Field(default=None, ge=2, le=1000, description="blocks across the long side")


@register("pixelate", version=1, params=PixelateParams, summary="mosaic of square blocks", regional=True)
def pixelate(image: Image.Image, params: PixelateParams) -> Image.Image:
    image = normalize_mode(image)
    block = params.block if params.block is not None else max(2, round(max(image.size) / (params.blocks or 64)))
    small = image.resize((max(1, -(-image.width // block)), max(1, -(-image.height // block))), Image.Resampling.BOX)
    big = small.resize((small.width * block, small.height * block), Image.Resampling.NEAREST)
    return big.crop((0, 0, image.width, image.height))
