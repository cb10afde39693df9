"""resize: to a width, a height, a box (fit, fill or stretch) or by a factor."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageOps
from pydantic import Field, model_validator

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["ResizeParams", "resize", "target_size"]

_MAX_SIDE = 16384


class ResizeParams(OpParams):
    width: int | None = Field(default=None, ge=1, le=_MAX_SIDE)
    height: int | None = Field(default=None, ge=1, le=_MAX_SIDE)
    factor: float | None = Field(default=None, gt=0, le=16)
    mode: Literal["fit", "fill", "stretch"] = "fit"

    @model_validator(mode="after")
    def _one_way(self) -> ResizeParams:
        if self.factor is None and self.width is None and self.height is None:
            raise ValueError("give a width, a height or a factor")
        if self.factor is not None and (self.width is not None or self.height is not None):
            raise ValueError("give either a factor or a size, not both")
        return self


def target_size(size: tuple[int, int], params: ResizeParams) -> tuple[int, int]:
    """The output size for an input of `size`; fill returns the box it crops to."""
    w, h = size
    if params.factor is not None:
        return max(1, round(w * params.factor)), max(1, round(h * params.factor))
    if params.width is not None and params.height is not None:
        if params.mode != "fit":
            return params.width, params.height
        scale = min(params.width / w, params.height / h)
        return max(1, round(w * scale)), max(1, round(h * scale))
    if params.width is not None:
        return params.width, max(1, round(h * params.width / w))
    assert params.height is not None
    return max(1, round(w * params.height / h)), params.height


@register(
    "resize",
    version=1,
    params=ResizeParams,
    summary="resize to a width/height/box or by a factor",
)
def resize(image: Image.Image, params: ResizeParams) -> Image.Image:
    image = normalize_mode(image)
    size = target_size(image.size, params)
    if size[0] * size[1] > 400_000_000:
        raise OperationError(f"the result would be {size[0]}x{size[1]} pixels, which is too large")
    if params.mode == "fill" and params.width is not None and params.height is not None:
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    if size == image.size:
        return image.copy()
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
