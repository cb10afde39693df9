"""posterize: reduce every channel to a few evenly spaced levels."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PosterizeParams", "posterize"]


class PosterizeParams(OpParams):
    levels: int = Field(default=4, ge=2, le=64)


@register("posterize", version=1, params=PosterizeParams, summary="few flat colour levels", regional=True)
def posterize(image: Image.Image, params: PosterizeParams) -> Image.Image:
    steps = params.levels - 1
    table = [round(round(v * steps / 255) * 255 / steps) for v in range(256)]
    return on_rgb(image, lambda rgb: rgb.point(table * 3))
