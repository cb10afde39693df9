"""upscale tool: 2x or 4x larger with Lanczos resampling and a detail pass (no super-resolution model)."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.ops.upscale import UpscaleParams, upscale
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["MAX_RESULT_PIXELS", "TOOL", "UpscaleToolParams"]

# Large enough for a 4x of a 2 MP photo or a 2x of a 16 MP one; more would not fit a worker's memory comfortably.
MAX_RESULT_PIXELS = 64_000_000


class UpscaleToolParams(OpParams):
    factor: Literal[2, 4] = 2


def _render(
    images: list[Image.Image], params: UpscaleToolParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    image = images[0]
    width, height = image.width * params.factor, image.height * params.factor
    if width * height > MAX_RESULT_PIXELS:
        raise ToolError(
            f"a {params.factor}x upscale of this {image.width}x{image.height} picture would be {width}x{height} "
            f"pixels, over the {MAX_RESULT_PIXELS // 1_000_000} megapixel limit; try "
            + ("2x or " if params.factor == 4 else "")
            + "a smaller picture",
            code="too_large",
        )
    progress(10, f"enlarging {params.factor}x")
    result = upscale(image, UpscaleParams(factor=params.factor))
    note = (
        f"Upscaled {params.factor}x to {result.width}x{result.height} with Lanczos and a detail pass; "
        "no super-resolution model is installed, so no new detail is invented."
    )
    return ToolResult(outputs=[ToolOutput("upscaled", result)], notes=[note], operation=f"upscaled {params.factor}x")


TOOL = Tool(
    name="upscale",
    title="Upscaler",
    summary="Make a picture 2x or 4x larger, keeping edges crisp.",
    params=UpscaleToolParams,
    render=_render,
    slow=True,
)
