"""inpaint: erase what a given mask covers (white = erase) by filling from the surroundings; and the shared fill.

`fill_from_surroundings` is the fill that the erase op and the object-eraser tool share: it carries the
surroundings across the hole along rows and along columns and trusts the direction whose two ends agree (a
horizon behind an erased box goes straight on, sky above it and grass below); OpenCV's Telea or Navier-Stokes
inpainting fills what neither direction reaches, and grain like the picture's keeps the fill from looking smooth.
The inpaint op itself stays plain OpenCV inpainting of the given mask."""

from __future__ import annotations

import base64
import binascii
import io
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, UnidentifiedImageError
from pydantic import Field, model_validator

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["FillMethod", "InpaintParams", "fill_from_surroundings", "inpaint"]


FillMethod = Literal["continue", "telea", "navier-stokes"]

# Inpainting costs grow with the masked area; the fill is smooth, so it is computed on a copy this size (long side
# of the area around the hole) and scaled up, which keeps a 12 MP photo well under a second.
_WORK_SIDE = 480
# Ends of a row or column differing by this much (RGB distance) make that direction a poor guess.
_AGREEMENT = 24.0
_TRUST_INPAINTING = 1 / (1 + 2**2)


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


def fill_from_surroundings(
    image: Image.Image, hole: NDArray[np.bool_], *, grow: int, method: FillMethod = "continue"
) -> Image.Image:
    """RGB `image` with the pixels where `hole` is true, grown by `grow` pixels, filled from their surroundings.

    "continue" carries the surroundings across the hole (OpenCV's Telea inpainting where they do not agree);
    "telea" and "navier-stokes" are OpenCV's inpainting alone. Only the area around the hole is touched: the
    hole's box and as much again on every side, with a soft seam `grow` pixels wide.
    """
    import cv2

    rgb = image.convert("RGB")
    if not hole.any():
        return rgb.copy()
    rows, columns = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    margin_y = grow + max(8, int(rows[-1] - rows[0]) // 2)
    margin_x = grow + max(8, int(columns[-1] - columns[0]) // 2)
    top, bottom = max(0, int(rows[0]) - margin_y), min(rgb.height, int(rows[-1]) + 1 + margin_y)
    left, right = max(0, int(columns[0]) - margin_x), min(rgb.width, int(columns[-1]) + 1 + margin_x)
    # Grown by `grow` pixels: a distance transform costs the same for any growth, a dilation grows with it.
    outside = (~hole[top:bottom, left:right]).astype(np.uint8)
    grown = (cv2.distanceTransform(outside, cv2.DIST_L2, 3) <= grow).astype(np.uint8)
    flag = cv2.INPAINT_NS if method == "navier-stokes" else cv2.INPAINT_TELEA

    def fill(pixels: np.ndarray, holes: np.ndarray) -> np.ndarray:
        inpainted = cv2.inpaint(pixels, holes, 5, flag)
        return inpainted if method != "continue" else _continue(pixels, holes, inpainted)

    crop = np.asarray(rgb.crop((left, top, right, bottom)))
    height, width = grown.shape
    scale = min(1.0, _WORK_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        small_hole = (cv2.resize(grown, size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
        filled = cv2.resize(fill(small, small_hole), (width, height), interpolation=cv2.INTER_LINEAR)
    else:
        filled = fill(crop, grown)
    filled = filled.astype(np.float32) + _grain_like(crop, grown)
    weight = cv2.GaussianBlur(grown.astype(np.float32), (0, 0), max(1.0, grow / 3))
    weight = np.maximum(weight, grown)[..., None]
    blended = crop + (filled - crop) * weight
    result = rgb.copy()
    result.paste(Image.fromarray(np.clip(np.rint(blended), 0, 255).astype(np.uint8)), (left, top))
    return result


def _across(pixels: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel, the linear blend of the nearest known pixels left and right of it in its row, and a weight that
    is high when those two ends are near and alike (0 where a row has no known pixel on one side), and their gap."""
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
    return blend, weight, gap


def _continue(pixels: np.ndarray, holes: np.ndarray, inpainted: np.ndarray) -> np.ndarray:
    import cv2

    # Ends are read from a softened copy, so the picture's noise does not streak along the filled rows.
    known = holes == 0
    # A blur of the known pixels only: the erased thing's colour must not bleed into the ends.
    weight = cv2.GaussianBlur(known.astype(np.float32), (0, 0), 2)
    summed = cv2.GaussianBlur(pixels.astype(np.float32) * known[..., None], (0, 0), 2)
    soft = summed / np.maximum(weight, 1e-6)[..., None]
    by_row, row_weight, row_gap = _across(soft, known)
    by_column, column_weight, column_gap = _across(soft.transpose(1, 0, 2), known.T)
    by_column, column_weight, column_gap = by_column.transpose(1, 0, 2), column_weight.T, column_gap.T
    # Inpainting's smooth guess counts as much as a direction whose ends differ by twice _AGREEMENT, so it leads
    # where neither direction's ends agree (a building above the hole, grass below it).
    trusted = _TRUST_INPAINTING / np.minimum(row_gap, column_gap)
    total = row_weight + column_weight + trusted
    guessed = by_row * row_weight[..., None] + by_column * column_weight[..., None]
    guessed = (guessed + inpainted.astype(np.float32) * trusted[..., None]) / total[..., None]
    return np.clip(np.rint(guessed), 0, 255).astype(np.uint8)


def _grain_like(pixels: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Noise as strong as the fine grain of the pixels around the hole, so the fill is not a smooth patch."""
    import cv2

    known = holes == 0
    if not known.any():
        return np.zeros(pixels.shape, dtype=np.float32)
    fine = pixels.astype(np.float32) - cv2.GaussianBlur(pixels, (0, 0), 1.5).astype(np.float32)
    strength = 0.8 * float(fine[known].std())
    rows, columns = np.flatnonzero(~known.all(axis=1)), np.flatnonzero(~known.all(axis=0))
    grain = np.zeros(pixels.shape, dtype=np.float32)
    if rows.size:
        top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
        # Seeded, so the same request on the same picture gives the same bytes.
        noise = np.random.default_rng(0).standard_normal(
            (bottom - top, right - left, pixels.shape[2]), dtype=np.float32
        )
        grain[top:bottom, left:right] = noise * strength
    return grain
