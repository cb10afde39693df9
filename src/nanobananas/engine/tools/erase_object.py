"""erase-object tool: what the brushed mask covers disappears, filled from its surroundings.

The fill is the erase op's: the surroundings carried across the hole along rows and columns where their two ends
agree (a horizon goes straight on), OpenCV's Telea inpainting where they do not, and grain like the picture's."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops.erase import _continue, _grain_like
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOL", "EraseObjectParams", "fill_hole"]

# The fill is smooth, so it is computed on a copy of the hole's surroundings this size (long side) and scaled up.
_WORK_SIDE = 480


class EraseObjectParams(OpParams):
    """The eraser takes only the mask (white = the area to remove)."""


def fill_hole(image: Image.Image, hole: np.ndarray) -> Image.Image:
    """`image` with the pixels where `hole` is true filled from their surroundings (RGB or RGBA kept)."""
    import cv2

    rows, columns = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    grow = max(2, round(min(image.size) * 0.006))
    margin_y = grow + max(8, int(rows[-1] - rows[0]) // 2)
    margin_x = grow + max(8, int(columns[-1] - columns[0]) // 2)
    top, bottom = max(0, int(rows[0]) - margin_y), min(image.height, int(rows[-1]) + 1 + margin_y)
    left, right = max(0, int(columns[0]) - margin_x), min(image.width, int(columns[-1]) + 1 + margin_x)
    outside = (~hole[top:bottom, left:right]).astype(np.uint8)
    # Grown a little: a brush stroke's edge is soft and the thing's own edge pixels must go too.
    grown = (cv2.distanceTransform(outside, cv2.DIST_L2, 3) <= grow).astype(np.uint8)
    rgb = image.convert("RGB")
    crop = np.asarray(rgb.crop((left, top, right, bottom)))
    height, width = grown.shape
    scale = min(1.0, _WORK_SIDE / max(height, width))

    def fill(pixels: np.ndarray, holes: np.ndarray) -> np.ndarray:
        return _continue(pixels, holes, cv2.inpaint(pixels, holes, 5, cv2.INPAINT_TELEA))

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
    if image.mode == "RGBA":
        result.putalpha(image.getchannel("A"))
    return result


def _render(
    images: list[Image.Image], params: EraseObjectParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    assert mask is not None  # Tool.run checks that the eraser has its mask
    hole = np.asarray(mask.convert("L")) >= 128
    if not hole.any():
        raise ToolError("the mask is empty: brush over what to remove", code="bad_input")
    if hole.mean() > 0.6:
        raise ToolError(
            "the mask covers most of the picture, so there is too little left to fill it from; brush over less",
            code="bad_input",
        )
    progress(10, "filling the area from its surroundings")
    result = fill_hole(images[0], hole)
    note = f"Filled {hole.mean() * 100:.1f}% of the picture from its surroundings (classical inpainting)."
    return ToolResult(outputs=[ToolOutput("erased", result)], notes=[note], operation="object erased")


TOOL = Tool(
    name="erase-object",
    title="Object eraser",
    summary="Brush over something and it disappears, filled in from what is around it.",
    params=EraseObjectParams,
    render=_render,
    needs_mask=True,
    slow=True,
)
