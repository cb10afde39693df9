"""meme tool: bold white outlined capitals at the top and bottom of the picture, the classic caption style."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont
from pydantic import Field, model_validator

from nanobananas.engine.ops._fonts import load_font
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolOutput, ToolResult

__all__ = ["TOOL", "MemeParams", "caption_block", "wrap_lines"]

# Each caption may take this share of the picture's width and of its height; the font starts at the largest
# size and shrinks (wrapping onto up to three lines first) until it fits.
_WIDTH_SHARE = 0.94
_HEIGHT_SHARE = 0.28
_START_SIZE = 0.13
_MARGIN = 0.03


class MemeParams(OpParams):
    top: str | None = Field(default=None, max_length=200, description="the caption at the top")
    bottom: str | None = Field(default=None, max_length=200, description="the caption at the bottom")

    @model_validator(mode="after")
    def _some_text(self) -> MemeParams:
        if not (self.top or "").strip() and not (self.bottom or "").strip():
            raise ValueError("give a top or a bottom caption")
        return self


def wrap_lines(text: str, count: int) -> str:
    words = text.split()
    if count <= 1 or len(words) <= 1:
        return " ".join(words)
    target = len(" ".join(words)) / count
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > target and len(lines) < count - 1:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines)


def caption_block(
    draw: ImageDraw.ImageDraw, text: str, size: tuple[int, int]
) -> tuple[str, ImageFont.FreeTypeFont, int]:
    """The wrapped text, the largest bold font that fits and its outline width."""
    width, height = size
    pixels = max(10, round(height * _START_SIZE))
    while True:
        face = load_font("roboto", pixels)
        stroke = max(1, round(pixels / 14))
        for count in (1, 2, 3):
            candidate = wrap_lines(text, count)
            left, top, right, bottom = draw.multiline_textbbox(
                (0, 0), candidate, font=face, stroke_width=stroke, align="center"
            )
            if right - left <= width * _WIDTH_SHARE and bottom - top <= height * _HEIGHT_SHARE:
                return candidate, face, stroke
        if pixels <= 10:
            return candidate, face, stroke
        pixels = max(10, int(pixels * 0.9))


def _render(
    images: list[Image.Image], params: MemeParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    image = images[0]
    result = image.convert("RGBA")
    draw = ImageDraw.Draw(result)
    margin = max(4, round(min(image.size) * _MARGIN))
    for text, at_top in ((params.top, True), (params.bottom, False)):
        if not text or not text.strip():
            continue
        lines, face, stroke = caption_block(draw, text.strip().upper(), image.size)
        left, top, right, bottom = draw.multiline_textbbox(
            (0, 0), lines, font=face, stroke_width=stroke, align="center"
        )
        x = (image.width - (right - left)) // 2 - left
        y = margin - top if at_top else image.height - margin - bottom
        draw.multiline_text(
            (x, y),
            lines,
            font=face,
            fill=(255, 255, 255, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 255),
            align="center",
            spacing=max(2, face.size // 10),
        )
    result = result if image.mode == "RGBA" else result.convert("RGB")
    return ToolResult(outputs=[ToolOutput("meme", result)], notes=[], operation="meme captions added")


TOOL = Tool(
    name="meme",
    title="Meme maker",
    summary="Bold outlined captions at the top and bottom.",
    params=MemeParams,
    render=_render,
)
