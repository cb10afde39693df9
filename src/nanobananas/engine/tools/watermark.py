"""watermark tool: a text or logo mark in a corner, in the centre or tiled over the picture, at an opacity."""

from __future__ import annotations

from typing import Literal

from PIL import Image
from pydantic import Field, field_validator

from nanobananas.engine.ops._color import Color
from nanobananas.engine.ops._text import Position, SizeWord, place
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.ops.watermark import WatermarkParams, watermark
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOL", "WatermarkToolParams"]

# A logo's width as a share of the picture's shorter side, per size word.
_LOGO_SHARE = {"small": 0.18, "medium": 0.28, "large": 0.4, "huge": 0.6}


class WatermarkToolParams(OpParams):
    text: str | None = Field(default=None, max_length=200, description="the mark's text; or upload a logo")
    position: Position | Literal["tiled"] = "bottom-right"
    opacity: float = Field(default=0.35, gt=0, le=1)
    size: SizeWord = "small"
    color: Color = "#ffffff"

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            return None
        return text.strip() if text is not None else None


def _faded(logo: Image.Image, opacity: float) -> Image.Image:
    logo = logo.convert("RGBA")
    alpha = logo.getchannel("A").point(lambda value: round(value * opacity))
    logo.putalpha(alpha)
    return logo


def _with_logo(image: Image.Image, logo: Image.Image, params: WatermarkToolParams) -> Image.Image:
    result = image.convert("RGBA")
    width = max(8, round(min(image.size) * _LOGO_SHARE[params.size]))
    height = max(1, round(logo.height * width / logo.width))
    mark = _faded(logo.resize((width, height), Image.Resampling.LANCZOS), params.opacity)
    layer = Image.new("RGBA", result.size, (0, 0, 0, 0))
    if params.position == "tiled":
        mark = mark.rotate(30, expand=True, resample=Image.Resampling.BICUBIC)
        step_x, step_y = round(mark.width * 1.6), round(mark.height * 1.6)
        for row, y in enumerate(range(0, result.height, step_y)):
            for x in range(-(row % 2) * step_x // 2, result.width, step_x):
                layer.alpha_composite(mark, (max(x, 0), y), (max(0, -x), 0))
    else:
        margin = max(4, round(min(image.size) * 0.03))
        layer.alpha_composite(mark, place(result.size, mark.size, params.position, margin))
    result.alpha_composite(layer)
    return result if image.mode == "RGBA" else result.convert("RGB")


def _render(
    images: list[Image.Image], params: WatermarkToolParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    image = images[0]
    if len(images) == 2:
        marked = _with_logo(image, images[1], params)
        what = "a logo"
    elif params.text is not None:
        op = WatermarkParams(
            text=params.text,
            opacity=params.opacity,
            tiled=params.position == "tiled",
            position="bottom-right" if params.position == "tiled" else params.position,
            size=params.size,
            color=params.color,
        )
        marked = watermark(image, op)
        what = f"the text {params.text!r}"
    else:
        raise ToolError("give the watermark's text or upload a logo image", code="bad_parameter", field="text")
    where = "tiled over the picture" if params.position == "tiled" else f"at the {params.position.replace('-', ' ')}"
    note = f"Marked with {what} {where} at {round(params.opacity * 100)}% opacity."
    return ToolResult(outputs=[ToolOutput("watermarked", marked)], notes=[note], operation="watermark added")


TOOL = Tool(
    name="watermark",
    title="Watermark",
    summary="Add your name or logo in a corner or tiled across the picture.",
    params=WatermarkToolParams,
    render=_render,
    max_images=2,
)
