"""Regions of a picture as feathered masks, and applying an op's result only inside one."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from PIL import Image
from pydantic import AfterValidator, Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.plan import Region

__all__ = ["ObjectPhrase", "apply_in_region", "mask_in_picture", "region_mask"]


def _findable(phrase: str) -> str:
    from nanobananas.engine.finders import parse_objects  # the finders use the ops' helpers: imported on use

    if parse_objects(phrase) is None:
        raise ValueError(f"{phrase!r} names no thing the engine can find")
    return phrase


ObjectPhrase = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_findable)]
"""An op parameter naming one thing in the picture as a request does ("the red ball"): refused at validation
when the finders cannot look for it."""


def mask_in_picture(image: Image.Image, region: Region) -> Image.Image:
    """The region's 8-bit mask for this picture: its boxes, or the things its object phrase names, found in it
    (ObjectNotFoundError when they are not there); inverted for "everything except"."""
    if region.object is None:
        return region_mask(image.size, region)
    from nanobananas.engine.finders import find_objects

    found = find_objects(image, region.object)
    return Image.fromarray(255 - found if region.exclude else found)


def region_mask(size: tuple[int, int], region: Region) -> Image.Image:
    """An 8-bit mask of a region by boxes: 255 well inside the region, ramping to 0 at its edge, 0 everywhere outside.

    The ramp lies inside the region, so the picture outside it is never touched."""
    import cv2

    if region.object is not None:
        raise ValueError("a region by object phrase has a mask only in a picture (mask_in_picture)")
    width, height = size
    chosen = np.zeros((height, width), dtype=np.uint8)
    for left, top, right, bottom in region.boxes:
        x0, x1 = round(left * width), round(right * width)
        y0, y1 = round(top * height), round(bottom * height)
        chosen[y0:y1, x0:x1] = 1
    if region.exclude:
        chosen = 1 - chosen
    feather = region.feather * min(width, height)
    if feather < 1:
        return Image.fromarray(chosen * 255)
    # Distance to the nearest pixel outside; the picture's own border is no edge of the region.
    padded = cv2.copyMakeBorder(chosen, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, 5)[1:-1, 1:-1]
    ramp = np.clip(np.rint(distance * (255 / feather)), 0, 255).astype(np.uint8)
    return Image.fromarray(ramp)


def apply_in_region(
    before: Image.Image, after: Image.Image, region: Region, mask: Image.Image | None = None
) -> Image.Image:
    """`after` inside the region, `before` outside it, blended along the feathered edge (`mask`: found already)."""
    before, after = normalize_mode(before), normalize_mode(after)
    if before.size != after.size:
        raise ValueError(f"an op applied to a region changed the size from {before.size} to {after.size}")
    mode = "RGBA" if "RGBA" in (before.mode, after.mode) else "RGB"
    chosen = mask if mask is not None else mask_in_picture(before, region)
    return Image.composite(after.convert(mode), before.convert(mode), chosen)
