"""polaroid: an instant-photo frame, white with a deeper bottom edge."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PolaroidParams", "polaroid"]


class PolaroidParams(OpParams):
    color: Color = "#fbfbf8"
    margin: float = Field(default=0.06, gt=0, le=0.5)


@register("polaroid", version=1, params=PolaroidParams, summary="instant-photo frame")
def polaroid(image: Image.Image, params: PolaroidParams) -> Image.Image:
    image = normalize_mode(image).convert("RGB")
    side = max(2, round(min(image.size) * params.margin))
    bottom = side * 4
    canvas = Image.new(
        "RGB",
        (image.width + 2 * side, image.height + side + bottom),
        rgb_of(params.color),
    )
    canvas.paste(image, (side, side))
    return canvas
