"""erase: remove one thing the request names and fill where it was from its surroundings.

The default fill ("continue") carries the surroundings across the hole along rows and along columns, and trusts
the direction whose two ends agree: a horizon behind an erased box goes straight on, sky above it and grass below.
OpenCV's Telea and Navier-Stokes inpainting are there too, and fill what neither direction reaches."""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image
from pydantic import Field, field_validator

from nanobananas.engine.ops._pixels import normalize_mode, on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["EraseParams", "erase"]

# Inpainting costs grow with the masked area; the fill is smooth, so it is computed on a copy this size (long side
# of the area around the object) and scaled up, which keeps a 12 MP photo well under a second.
_WORK_SIDE = 720
# Ends of a row or column differing by this much (RGB distance) make that direction a poor guess.
_AGREEMENT = 24.0


class EraseParams(OpParams):
    object: str = Field(min_length=1, max_length=200, description="the thing to erase, as the request names it")
    method: Literal["continue", "telea", "navier-stokes"] = "continue"
    grow: float = Field(default=0.012, ge=0, le=0.1, description="mask growth, share of the shorter side")

    @field_validator("object")
    @classmethod
    def _findable(cls, phrase: str) -> str:
        from nanobananas.engine.finders import parse_objects

        if parse_objects(phrase) is None:
            raise ValueError(f"{phrase!r} names no thing the engine can find")
        return phrase


@register("erase", version=1, params=EraseParams, summary="erase one object and fill from its surroundings")
def erase(image: Image.Image, params: EraseParams) -> Image.Image:
    import cv2

    from nanobananas.engine.finders import find_objects

    image = normalize_mode(image)
    found = (find_objects(image, params.object) >= 64).astype(np.uint8)
    grow = max(2, round(min(image.size) * params.grow))
    hole = cv2.dilate(found, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    rows, columns = np.nonzero(hole)
    # The area around the object that the fill is drawn from: the object's box and as much again on every side.
    margin_y = max(8, int(rows.max() - rows.min()) // 2)
    margin_x = max(8, int(columns.max() - columns.min()) // 2)
    top, bottom = max(0, int(rows.min()) - margin_y), min(image.height, int(rows.max()) + 1 + margin_y)
    left, right = max(0, int(columns.min()) - margin_x), min(image.width, int(columns.max()) + 1 + margin_x)
    flag = cv2.INPAINT_NS if params.method == "navier-stokes" else cv2.INPAINT_TELEA

    def fill(pixels: np.ndarray, holes: np.ndarray) -> np.ndarray:
        inpainted = cv2.inpaint(pixels, holes, 5, flag)
        return inpainted if params.method != "continue" else _continue(pixels, holes, inpainted)

    def apply(rgb: Image.Image) -> Image.Image:
        pixels = np.array(rgb)
        crop, crop_hole = pixels[top:bottom, left:right], hole[top:bottom, left:right]
        height, width = crop_hole.shape
        scale = min(1.0, _WORK_SIDE / max(height, width))
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
            small_hole = (cv2.resize(crop_hole, size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
            filled = cv2.resize(fill(small, small_hole), (width, height), interpolation=cv2.INTER_LINEAR)
        else:
            filled = fill(crop, crop_hole)
        filled = filled.astype(np.float32) + _grain_like(crop, crop_hole)
        weight = cv2.GaussianBlur(crop_hole.astype(np.float32), (0, 0), max(1.0, grow / 3))
        weight = np.maximum(weight, crop_hole)[..., None]
        blended = crop + (filled - crop) * weight
        pixels[top:bottom, left:right] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
        return Image.fromarray(pixels)

    return on_rgb(image, apply)


def _across(pixels: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, the linear blend of the nearest known pixels left and right of it in its row, and a weight that
    is high when those two ends are near and alike (0 where a row has no known pixel on one side)."""
    height, width = known.shape
    columns = np.broadcast_to(np.arange(width), (height, width))
    left = np.maximum.accumulate(np.where(known, columns, -1), axis=1)
    right = np.flip(np.minimum.accumulate(np.flip(np.where(known, columns, width), axis=1), axis=1), axis=1)
    reachable = (left >= 0) & (right < width)
    left_at, right_at = np.clip(left, 0, width - 1), np.clip(right, 0, width - 1)
    rows = np.arange(height)[:, None]
    start, end = pixels[rows, left_at], pixels[rows, right_at]
    gap = np.maximum(right_at - left_at, 1).astype(np.float32)
    share = ((columns - left_at) / gap)[..., None]
    blend = start + (end - start) * share
    mismatch = np.linalg.norm(end - start, axis=2) / _AGREEMENT
    weight = np.where(reachable, 1 / (gap * (1 + mismatch**2)), 0).astype(np.float32)
    return blend, weight


def _continue(pixels: np.ndarray, holes: np.ndarray, inpainted: np.ndarray) -> np.ndarray:
    import cv2

    # Ends are read from a softened copy, so the picture's noise does not streak along the filled rows.
    soft = cv2.GaussianBlur(pixels, (0, 0), 2).astype(np.float32)
    known = holes == 0
    by_row, row_weight = _across(soft, known)
    by_column, column_weight = _across(soft.transpose(1, 0, 2), known.T)
    by_column, column_weight = by_column.transpose(1, 0, 2), column_weight.T
    total = row_weight + column_weight
    guessed = (by_row * row_weight[..., None] + by_column * column_weight[..., None]) / np.maximum(total, 1e-9)[
        ..., None
    ]
    result = np.where((total > 0)[..., None], guessed, inpainted.astype(np.float32))
    return np.clip(np.rint(result), 0, 255).astype(np.uint8)


def _grain_like(pixels: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Noise as strong as the fine grain of the pixels around the hole, so the fill is not a smooth patch."""
    import cv2

    known = holes == 0
    if not known.any():
        return np.zeros(pixels.shape, dtype=np.float32)
    fine = pixels.astype(np.float32) - cv2.GaussianBlur(pixels, (0, 0), 1.5).astype(np.float32)
    strength = 0.8 * float(fine[known].std())
    # Seeded, so the same request on the same picture gives the same bytes.
    return np.random.default_rng(0).normal(0, strength, pixels.shape).astype(np.float32)
