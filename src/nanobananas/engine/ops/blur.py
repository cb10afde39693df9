"""blur: gaussian blur of the whole image, or of the background only around a found subject."""

from __future__ import annotations

from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode, on_rgb
from nanobananas.engine.ops._subject import subject_mask
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["BlurParams", "blur"]


class BlurParams(OpParams):
    radius: float = Field(default=4.0, gt=0, le=200)
    background_only: bool = False


@register(
    "blur",
    version=1,
    params=BlurParams,
    summary="gaussian blur, optionally background only",
    regional=True,
)
def blur(image: Image.Image, params: BlurParams) -> Image.Image:
    image = normalize_mode(image)
    blurred = on_rgb(image, lambda rgb: rgb.filter(ImageFilter.GaussianBlur(params.radius)))
    if not params.background_only:
        return blurred
    mask = subject_mask(image).filter(ImageFilter.GaussianBlur(2))
    return Image.composite(image, blurred, mask)
