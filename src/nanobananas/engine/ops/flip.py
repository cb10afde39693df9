"""flip: mirror left-right (horizontal) or upside down (vertical)."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["FlipParams", "flip"]


class FlipParams(OpParams):
    direction: Literal["horizontal", "vertical"] = "horizontal"


@register("flip", version=1, params=FlipParams, summary="mirror horizontally or vertically")
def flip(image: Image.Image, params: FlipParams) -> Image.Image:
    method = Image.Transpose.FLIP_LEFT_RIGHT if params.direction == "horizontal" else Image.Transpose.FLIP_TOP_BOTTOM
    return normalize_mode(image).transpose(method)
