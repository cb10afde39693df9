"""round_corners: cut the corners round, leaving them transparent (RGBA output)."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["RoundCornersParams", "round_corners"]

_SUPERSAMPLE = 4


class RoundCornersParams(OpParams):
    radius: int | None = Field(default=None, ge=1, le=10000)


@register(
    "round_corners",
    version=1,
    params=RoundCornersParams,
    summary="round the corners (transparent)",
)
def round_corners(image: Image.Image, params: RoundCornersParams) -> Image.Image:
    image = normalize_mode(image).convert("RGBA")
    w, h = image.size
    radius = params.radius if params.radius is not None else max(2, round(min(w, h) * 0.08))
    radius = min(radius, min(w, h) // 2)
    big = Image.new("L", (w * _SUPERSAMPLE, h * _SUPERSAMPLE), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, w * _SUPERSAMPLE - 1, h * _SUPERSAMPLE - 1),
        radius * _SUPERSAMPLE,
        fill=255,
    )
    mask = big.resize((w, h), Image.Resampling.LANCZOS)
    image.putalpha(ImageChops.multiply(image.getchannel("A"), mask))
    return image
