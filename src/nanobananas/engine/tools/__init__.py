"""AI Tools: one-click jobs (remove a background, an ID photo, a product photo, every social size...) on the engine.

Each tool is a `Tool` with a slug, card text, a pydantic parameter model with good defaults and a render function;
`TOOLS` holds them in the order the AI Tools page shows them. Nothing here imports Django.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from nanobananas.engine.tools import convert, upscale, watermark
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOLS", "Tool", "ToolError", "ToolOutput", "ToolResult", "get_tool", "run_tool"]

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        upscale.TOOL,
        watermark.TOOL,
        convert.TOOL,
    )
}


def get_tool(name: str) -> Tool:
    """The tool called `name`; ToolError "unknown_tool" listing the known names."""
    try:
        return TOOLS[name]
    except KeyError:
        raise ToolError(
            f"there is no tool called {name!r}; the tools are {', '.join(TOOLS)}", code="unknown_tool"
        ) from None


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
