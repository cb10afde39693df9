"""print_size: resize and crop to a physical size at a dpi, turned to the picture's own orientation."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageOps
from pydantic import Field

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PrintSizeParams", "print_pixels", "print_size"]

_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4}
_MAX_PIXELS = 100_000_000


class PrintSizeParams(OpParams):
    width: float = Field(gt=0, le=2000)
    height: float = Field(gt=0, le=2000)
    unit: Literal["in", "cm", "mm"] = "in"
    dpi: int = Field(default=300, ge=30, le=2400)
    mode: Literal["fill", "fit"] = "fill"
    orient: bool = True


def print_pixels(size: tuple[int, int], params: PrintSizeParams) -> tuple[int, int]:
    """The output size in pixels; with `orient`, a landscape picture gets the landscape way round."""
    per_inch = _PER_INCH[params.unit]
    width = max(1, round(params.width / per_inch * params.dpi))
    height = max(1, round(params.height / per_inch * params.dpi))
    if params.orient and (size[0] > size[1]) != (width > height) and size[0] != size[1]:
        width, height = height, width
    return width, height


@register("print_size", version=1, params=PrintSizeParams, summary="resize to a print size (inches/cm/mm at a dpi)")
def print_size(image: Image.Image, params: PrintSizeParams) -> Image.Image:
    image = normalize_mode(image)
    size = print_pixels(image.size, params)
    if size[0] * size[1] > _MAX_PIXELS:
        raise OperationError(f"{size[0]}x{size[1]} pixels is too large to print from here; try a lower dpi")
    if params.mode == "fit":
        fitted = ImageOps.contain(image, size, Image.Resampling.LANCZOS)
    else:
        fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    fitted.info["dpi"] = (params.dpi, params.dpi)
    return fitted
