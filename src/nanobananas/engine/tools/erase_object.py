"""erase-object tool: what the brushed mask covers disappears, filled from its surroundings.

The fill is the erase op's, engine.ops.inpaint's `fill_from_surroundings`: the surroundings carried across the
hole along rows and columns where their two ends agree (a horizon goes straight on), OpenCV's Telea inpainting
where they do not, and grain like the picture's."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops.inpaint import fill_from_surroundings
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOL", "EraseObjectParams", "fill_hole"]


class EraseObjectParams(OpParams):
    """The eraser takes only the mask (white = the area to remove)."""


def fill_hole(image: Image.Image, hole: np.ndarray) -> Image.Image:
    """`image` with the pixels where `hole` is true filled from their surroundings (RGB or RGBA kept)."""
    # Grown a little: a brush stroke's edge is soft and the thing's own edge pixels must go too.
    grow = max(2, round(min(image.size) * 0.006))
    result = fill_from_surroundings(image, hole, grow=grow)
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
