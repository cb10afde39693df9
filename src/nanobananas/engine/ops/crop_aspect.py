"""crop_aspect: the largest crop with a given aspect ratio, centred on the subject (face or saliency)."""

from __future__ import annotations

import re
from typing import Literal

from PIL import Image
from pydantic import field_validator

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import Box, subject_box
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["CropAspectParams", "crop_aspect", "crop_window", "ratio_value"]

_RATIO = re.compile(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)")


def ratio_value(ratio: str) -> float:
    """Width over height of a 'W:H' string."""
    match = _RATIO.fullmatch(ratio)
    if match is None:
        raise ValueError(f"aspect ratio must look like 16:9, got {ratio!r}")
    width, height = float(match.group(1)), float(match.group(2))
    if width <= 0 or height <= 0 or not 0.01 <= width / height <= 100:
        raise ValueError(f"aspect ratio {ratio!r} is out of range")
    return width / height


class CropAspectParams(OpParams):
    ratio: str
    focus: Literal["auto", "center"] = "auto"

    @field_validator("ratio")
    @classmethod
    def _valid_ratio(cls, value: str) -> str:
        ratio_value(value)
        return value


def crop_window(size: tuple[int, int], ratio: float, focus: Box | None) -> Box:
    """The largest box of `ratio` inside `size`, centred on `focus` as far as the edges allow."""
    w, h = size
    if w / h > ratio:
        cw, ch = max(1, round(h * ratio)), h
    else:
        cw, ch = w, max(1, round(w / ratio))
    cx, cy = (w / 2, h / 2) if focus is None else ((focus[0] + focus[2]) / 2, (focus[1] + focus[3]) / 2)
    left = int(min(max(0, round(cx - cw / 2)), w - cw))
    top = int(min(max(0, round(cy - ch / 2)), h - ch))
    return left, top, left + cw, top + ch


@register(
    "crop_aspect",
    version=1,
    params=CropAspectParams,
    summary="crop to an aspect ratio around the subject",
)
def crop_aspect(image: Image.Image, params: CropAspectParams) -> Image.Image:
    image = normalize_mode(image)
    ratio = ratio_value(params.ratio)
    if abs(image.width / image.height - ratio) < 1e-3:
        return image.copy()
    focus = subject_box(image) if params.focus == "auto" else None
    return image.crop(crop_window(image.size, ratio, focus))
