"""erase: remove one thing the request names and fill where it was from its surroundings.

The fill is engine.ops.inpaint's `fill_from_surroundings`, shared with the object-eraser tool: by default
("continue") it carries the surroundings across the hole along rows and along columns, and trusts the direction
whose two ends agree (a horizon behind an erased box goes straight on, sky above it and grass below). OpenCV's
Telea and Navier-Stokes inpainting are there too, and fill what neither direction reaches."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode, on_rgb
from nanobananas.engine.ops._region import ObjectPhrase
from nanobananas.engine.ops.inpaint import FillMethod, fill_from_surroundings
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["EraseParams", "erase"]


class EraseParams(OpParams):
    object: ObjectPhrase = Field(description="the thing to erase, as the request names it")
    method: FillMethod = "continue"
    grow: float = Field(default=0.012, ge=0, le=0.1, description="mask growth, share of the shorter side")


@register("erase", version=1, params=EraseParams, summary="erase one object and fill from its surroundings")
def erase(image: Image.Image, params: EraseParams) -> Image.Image:
    from nanobananas.engine.finders import find_objects

    image = normalize_mode(image)
    found = np.asarray(find_objects(image, params.object) >= 64)
    grow = max(2, round(min(image.size) * params.grow))
    return on_rgb(image, lambda rgb: fill_from_surroundings(rgb, found, grow=grow, method=params.method))
