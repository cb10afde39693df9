"""colorize tool: a black-and-white photo in colour, which only a generative provider can do."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolResult

__all__ = ["TOOL", "ColorizeParams", "instruction"]


class ColorizeParams(OpParams):
    hint: str | None = Field(
        default=None, max_length=300, description="what the colours were, if known ('her dress was blue')"
    )


def instruction(params: ColorizeParams) -> str:
    """What the provider is asked to do: colour only, nothing added, moved or retouched."""
    text = (
        "Colorize this black-and-white photograph with natural, realistic colours true to its era. "
        "Keep every detail, face, expression, pose, background and the framing exactly as they are; "
        "change only the colours, add nothing and remove nothing."
    )
    if params.hint:
        text += f" Known colours: {params.hint.strip()}."
    return text


def _render(
    images: list[Image.Image], params: ColorizeParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    raise ToolError("colorizing needs a generative AI provider", code="needs_generative_provider")


TOOL = Tool(
    name="colorize",
    title="Colorize",
    summary="Bring colour to a black-and-white photo (needs an AI provider).",
    params=ColorizeParams,
    render=_render,
    generative=True,
    instruction=instruction,
)
