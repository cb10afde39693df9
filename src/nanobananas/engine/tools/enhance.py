"""enhance tool: automatic levels and local contrast in one click."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops.auto_enhance import AutoEnhanceParams, auto_enhance
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolOutput, ToolResult

__all__ = ["TOOL", "EnhanceParams"]


class EnhanceParams(OpParams):
    strength: float = Field(default=1.0, gt=0, le=3, description="how much local contrast to add")


def _render(
    images: list[Image.Image], params: EnhanceParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    progress(10, "stretching levels and local contrast")
    result = auto_enhance(images[0], AutoEnhanceParams(strength=params.strength))
    note = "Levels stretched and local contrast raised (CLAHE on lightness)."
    return ToolResult(outputs=[ToolOutput("enhanced", result)], notes=[note], operation="auto-enhanced")


TOOL = Tool(
    name="enhance",
    title="Auto-enhance",
    summary="Better levels and local contrast in one click.",
    params=EnhanceParams,
    render=_render,
)
