"""drop_shadow: lift the picture off the page with a soft shadow on a wider canvas."""

from __future__ import annotations

from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["DropShadowParams", "drop_shadow"]


class DropShadowParams(OpParams):
    offset: int | None = Field(default=None, ge=0, le=500, description="pixels; 2% of the shorter side by default")
    blur: float | None = Field(default=None, ge=0, le=200)
    opacity: float = Field(default=0.5, gt=0, le=1)
    background: Color | None = Field(default=None, description="canvas colour; transparent when None")


@register("drop_shadow", version=1, params=DropShadowParams, summary="soft drop shadow")
def drop_shadow(image: Image.Image, params: DropShadowParams) -> Image.Image:
    image = normalize_mode(image).convert("RGBA")
    offset = params.offset if params.offset is not None else max(2, round(min(image.size) * 0.02))
    blur = params.blur if params.blur is not None else max(1.0, offset * 1.5)
    margin = offset + round(blur * 2)
    size = (image.width + 2 * margin, image.height + 2 * margin)
    silhouette = image.getchannel("A").point(lambda value: round(value * params.opacity))
    shadow_alpha = Image.new("L", size, 0)
    shadow_alpha.paste(silhouette, (margin + offset, margin + offset))
    shadow_alpha = shadow_alpha.filter(ImageFilter.GaussianBlur(blur))
    fill = (*rgb_of(params.background), 255) if params.background is not None else (0, 0, 0, 0)
    canvas = Image.new("RGBA", size, fill)
    canvas.alpha_composite(Image.merge("RGBA", (*Image.new("RGB", size, (0, 0, 0)).split(), shadow_alpha)))
    canvas.alpha_composite(image, (margin, margin))
    return canvas if params.background is None else canvas.convert("RGB")
