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
    if radius < 1:
        return image
    # Only the corners need anti-aliasing: draw one quarter circle four times larger, shrink it, mirror it.
    corner = Image.new("L", (radius * _SUPERSAMPLE, radius * _SUPERSAMPLE), 0)
    ImageDraw.Draw(corner).ellipse((0, 0, 2 * radius * _SUPERSAMPLE - 1, 2 * radius * _SUPERSAMPLE - 1), fill=255)
    corner = corner.resize((radius, radius), Image.Resampling.LANCZOS)
    mask = Image.new("L", (w, h), 255)
    mask.paste(corner, (0, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - radius, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, h - radius))
    mask.paste(corner.transpose(Image.Transpose.ROTATE_180), (w - radius, h - radius))
    image.putalpha(ImageChops.multiply(image.getchannel("A"), mask))
    return image
