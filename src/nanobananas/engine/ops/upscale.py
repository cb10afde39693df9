"""upscale: enlarge with Lanczos, then restore edge detail with a gentle unsharp mask."""

from __future__ import annotations

from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["UpscaleParams", "upscale"]


class UpscaleParams(OpParams):
    factor: float = Field(default=2.0, gt=1, le=8)


@register(
    "upscale",
    version=1,
    params=UpscaleParams,
    summary="enlarge with detail restoration",
)
def upscale(image: Image.Image, params: UpscaleParams) -> Image.Image:
    size = (round(image.width * params.factor), round(image.height * params.factor))
    if size[0] * size[1] > 400_000_000:
        raise OperationError(f"the result would be {size[0]}x{size[1]} pixels, which is too large")

    def enlarge(rgb: Image.Image) -> Image.Image:
        big = rgb.resize(size, Image.Resampling.LANCZOS)
        radius = max(1.0, params.factor / 2)
        return big.filter(ImageFilter.UnsharpMask(radius=radius, percent=60, threshold=2))

    return on_rgb(image, enlarge)
