"""inpaint: erase what a given mask covers (white = erase) by filling from the surroundings."""

from __future__ import annotations

import base64
import binascii
import io
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError
from pydantic import Field, model_validator

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["InpaintParams", "inpaint"]


class InpaintParams(OpParams):
    mask_png: str | None = Field(default=None, description="base64 PNG, white where to erase")
    boxes: list[tuple[int, int, int, int]] = Field(default_factory=list, description="(left, top, right, bottom)")
    radius: int = Field(default=5, ge=1, le=50)
    method: Literal["telea", "navier-stokes"] = "telea"

    @model_validator(mode="after")
    def _has_mask(self) -> InpaintParams:
        if self.mask_png is None and not self.boxes:
            raise ValueError("give a mask or at least one box to erase")
        return self


def _mask(size: tuple[int, int], params: InpaintParams) -> Image.Image:
    mask = Image.new("L", size, 0)
    if params.mask_png is not None:
        try:
            drawn = Image.open(io.BytesIO(base64.b64decode(params.mask_png, validate=True)))
            drawn.load()
        except (binascii.Error, UnidentifiedImageError, OSError) as error:
            raise OperationError("the erase mask is not a readable PNG") from error
        mask = drawn.convert("L").resize(size, Image.Resampling.NEAREST).point([0] * 128 + [255] * 128)
    draw = ImageDraw.Draw(mask)
    for box in params.boxes:
        draw.rectangle(box, fill=255)
    return mask


@register("inpaint", version=1, params=InpaintParams, summary="erase a masked area")
def inpaint(image: Image.Image, params: InpaintParams) -> Image.Image:
    import cv2

    mask = np.asarray(_mask(image.size, params))
    if not mask.any():
        return image.copy()
    flag = cv2.INPAINT_TELEA if params.method == "telea" else cv2.INPAINT_NS

    def apply(rgb: Image.Image) -> Image.Image:
        return Image.fromarray(cv2.inpaint(np.asarray(rgb), mask, params.radius, flag))

    return on_rgb(image, apply)
