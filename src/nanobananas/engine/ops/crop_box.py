"""crop_box: keep a rectangle given in pixels or in percent of the image."""

from __future__ import annotations

from typing import Literal

from PIL import Image
from pydantic import Field

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["CropBoxParams", "crop_box"]


class CropBoxParams(OpParams):
    left: float = Field(ge=0)
    top: float = Field(ge=0)
    width: float = Field(gt=0)
    height: float = Field(gt=0)
    unit: Literal["px", "percent"] = "px"


@register("crop_box", version=1, params=CropBoxParams, summary="crop to a rectangle")
def crop_box(image: Image.Image, params: CropBoxParams) -> Image.Image:
    image = normalize_mode(image)
    sx, sy = (image.width / 100, image.height / 100) if params.unit == "percent" else (1.0, 1.0)
    left, top = round(params.left * sx), round(params.top * sy)
    right = min(image.width, left + round(params.width * sx))
    bottom = min(image.height, top + round(params.height * sy))
    if right <= left or bottom <= top:
        raise OperationError("the crop rectangle lies outside the image")
    return image.crop((left, top, right, bottom))
