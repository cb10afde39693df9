"""border: a solid frame of a given colour and width added around the image."""

from __future__ import annotations

from PIL import Image, ImageOps
from pydantic import Field, model_validator

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["BorderParams", "border"]


class BorderParams(OpParams):
    width: int | None = Field(default=None, ge=1, le=2000, description="pixels; 20 when no percent is given")
    percent: float | None = Field(default=None, gt=0, le=50, description="percent of the shorter side")
    color: Color = "#ffffff"

    @model_validator(mode="after")
    def _one_width(self) -> BorderParams:
        if self.width is not None and self.percent is not None:
            raise ValueError("give a width in pixels or a percent, not both")
        return self


@register(
    "border",
    version=1,
    params=BorderParams,
    summary="add a solid border around the image",
)
def border(image: Image.Image, params: BorderParams) -> Image.Image:
    image = normalize_mode(image)
    fill: tuple[int, ...] = rgb_of(params.color) + ((255,) if image.mode == "RGBA" else ())
    if params.percent is not None:
        width = max(1, round(min(image.size) * params.percent / 100))
    else:
        width = params.width if params.width is not None else 20
    return ImageOps.expand(image, border=width, fill=fill)
