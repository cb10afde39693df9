"""AI Tools: one-click jobs (remove a background, an ID photo, a product photo, every social size...) on the engine.

Each tool is a `Tool` with a slug, card text, a pydantic parameter model with good defaults and a render function;
`TOOLS` holds them in the order the AI Tools page shows them. Nothing here imports Django.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from nanobananas.engine.tools import (
    background,
    colorize,
    convert,
    enhance,
    erase_object,
    id_photo,
    meme,
    product_photo,
    qr_poster,
    restore,
    social_resize,
    upscale,
    watermark,
)
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOLS", "Tool", "ToolError", "ToolOutput", "ToolResult", "get_tool", "run_tool"]

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        background.REMOVE,
        background.REPLACE,
        erase_object.TOOL,
        upscale.TOOL,
        enhance.TOOL,
        restore.TOOL,
        colorize.TOOL,
        id_photo.TOOL,
        product_photo.TOOL,
        social_resize.TOOL,
        watermark.TOOL,
        convert.TOOL,
        meme.TOOL,
        qr_poster.TOOL,
    )
}


def get_tool(name: str) -> Tool:
    """The tool called `name`; ToolError "unknown_tool" listing the known names."""
    try:
        return TOOLS[name]
    except KeyError:
        known = ", ".join(TOOLS)
        raise ToolError(f"there is no tool called {name!r}; the tools are {known}", code="unknown_tool") from None


def run_tool(
    name: str,
    images: list[Image.Image],
    params: dict[str, Any],
    *,
    mask: Image.Image | None = None,
    progress: Progress | None = None,
    preview: bool = False,
) -> ToolResult:
    """Validate raw params and inputs for tool `name` and run it."""
    tool = get_tool(name)
    return tool.run(images, tool.parse_params(params), mask=mask, progress=progress, preview=preview)
