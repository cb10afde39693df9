"""crop_object: crop to one thing the request names ("crop to the red car", "crop around the face"), with a margin."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._region import ObjectPhrase
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["CropObjectParams", "crop_object"]


class CropObjectParams(OpParams):
    object: ObjectPhrase = Field(description="the thing to crop to, as the request names it")
    margin: float = Field(default=0.1, ge=0, le=1, description="room around the thing, as a share of its size")


@register("crop_object", version=1, params=CropObjectParams, summary="crop to one thing, with a margin around it")
def crop_object(image: Image.Image, params: CropObjectParams) -> Image.Image:
    from nanobananas.engine.finders import find_objects

    image = normalize_mode(image)
    inside = find_objects(image, params.object) >= 128
    rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
    room = round(params.margin * max(right - left, bottom - top))
    return image.crop(
        (max(0, left - room), max(0, top - room), min(image.width, right + room), min(image.height, bottom + room))
    )
