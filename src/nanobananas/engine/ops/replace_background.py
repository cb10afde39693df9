"""replace_background: put the subject on a solid colour, a gradient, a blur or a grey copy of itself."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageFilter
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import subject_mask
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["ReplaceBackgroundParams", "replace_background"]


class ReplaceBackgroundParams(OpParams):
    mode: Literal["color", "gradient", "blur", "grayscale"] = "color"
    color: Color = "#ffffff"
    color2: Color | None = None
    radius: float = Field(default=12.0, gt=0, le=200)


def _gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    column.putdata([tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom, strict=True)) for i in range(256)])
    return column.resize(size, Image.Resampling.BILINEAR)


@register(
    "replace_background",
    version=2,
    params=ReplaceBackgroundParams,
    summary="new background",
)
def replace_background(image: Image.Image, params: ReplaceBackgroundParams) -> Image.Image:
    image = normalize_mode(image)
    rgb = image.convert("RGB")
    alpha = subject_mask(image)
    if params.mode == "blur":
        backdrop = rgb.filter(ImageFilter.GaussianBlur(params.radius))
    elif params.mode == "grayscale":
        backdrop = rgb.convert("L").convert("RGB")
    elif params.mode == "gradient":
        second = params.color2 if params.color2 is not None else "#ffffff"
        backdrop = _gradient(image.size, rgb_of(params.color), rgb_of(second))
    else:
        backdrop = Image.new("RGB", image.size, rgb_of(params.color))
    # Blend by the matte's fractional alpha so hair and soft edges take on the new background.
    return Image.composite(rgb, backdrop.convert("RGB"), alpha)
