"""qr-poster tool: a printable poster with a title, a large scannable QR code for a link or text, and a caption."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageDraw, ImageOps
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._fonts import load_font
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult
from nanobananas.engine.tools.meme import wrap_lines

__all__ = ["POSTER_SIZES", "TOOL", "QrPosterParams", "qr_matrix"]

# At 150 dpi: A4, US Letter, a square and a phone-screen story.
POSTER_SIZES: dict[str, tuple[int, int]] = {
    "a4": (1240, 1754),
    "letter": (1275, 1650),
    "square": (1500, 1500),
    "story": (1080, 1920),
}
_LABELS = {"a4": "An A4", "letter": "A US Letter", "square": "A square", "story": "A story-sized"}
# Scanners need the dark modules clearly darker than the light ones.
_MIN_CONTRAST = 110


class QrPosterParams(OpParams):
    url: str = Field(min_length=1, max_length=1000, description="the link or text the code opens")
    title: str | None = Field(default=None, max_length=120)
    caption: str | None = Field(default=None, max_length=300)
    size: Literal["a4", "letter", "square", "story"] = "a4"
    background: Color = "#ffffff"
    ink: Color = "#111111"


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True = dark) with a four-module quiet zone, error correction level M."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _luma(color: tuple[int, int, int]) -> float:
    return 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]


def _fitted_lines(draw: ImageDraw.ImageDraw, text: str, width: int, start: int, bold: bool) -> tuple[str, int]:
    pixels = start
    while True:
        face = load_font("roboto", pixels, bold=bold)
        for count in (1, 2, 3):
            lines = wrap_lines(text, count)
            left, _, right, _ = draw.multiline_textbbox((0, 0), lines, font=face, align="center")
            if right - left <= width:
                return lines, pixels
        if pixels <= 12:
            return lines, pixels
        pixels = max(12, int(pixels * 0.9))


def _render(
    images: list[Image.Image], params: QrPosterParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    background, ink = rgb_of(params.background), rgb_of(params.ink)
    light, dark = _luma(background), _luma(ink)
    if light - dark < _MIN_CONTRAST:
        raise ToolError(
            "the ink must be much darker than the background, or phones cannot scan the code",
            code="bad_parameter",
            field="ink",
        )
    width, height = POSTER_SIZES[params.size]
    poster = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(poster)
    margin = round(width * 0.08)
    text_width = width - 2 * margin
    y = margin
    if params.title and params.title.strip():
        lines, pixels = _fitted_lines(draw, params.title.strip(), text_width, round(width * 0.09), bold=True)
        face = load_font("roboto", pixels)
        left, top, right, bottom = draw.multiline_textbbox((0, 0), lines, font=face, align="center")
        draw.multiline_text(((width - (right - left)) // 2 - left, y - top), lines, font=face, fill=ink, align="center")
        y += round(bottom - top) + round(height * 0.03)
    if images:
        photo_height = round(height * 0.22)
        photo = ImageOps.contain(images[0].convert("RGB"), (text_width, photo_height), Image.Resampling.LANCZOS)
        poster.paste(photo, ((width - photo.width) // 2, y))
        y += photo.height + round(height * 0.03)
    # The code takes what is left above room for the caption and the written link, at most 70% of the width.
    matrix = qr_matrix(params.url)
    modules = len(matrix)
    room_below = round(height * 0.2) if params.caption else round(height * 0.1)
    side = min(round(width * 0.7), height - y - room_below - margin)
    box = side // modules
    if box < 2:
        raise ToolError(
            "the title and picture leave no room for a scannable code; shorten the title or use a taller size",
            code="bad_parameter",
            field="title",
        )
    code = Image.new("L", (modules, modules), 255)
    code.putdata([0 if cell else 255 for row in matrix for cell in row])
    code = code.resize((modules * box, modules * box), Image.Resampling.NEAREST)
    tile = Image.composite(Image.new("RGB", code.size, background), Image.new("RGB", code.size, ink), code)
    poster.paste(tile, ((width - tile.width) // 2, y))
    y += tile.height + round(height * 0.015)
    link_face = load_font("roboto", max(10, round(width * 0.025)), bold=False)
    link = params.url if len(params.url) <= 60 else params.url[:57] + "..."
    left, top, right, bottom = draw.textbbox((0, 0), link, font=link_face)
    draw.text(((width - (right - left)) // 2 - left, y - top), link, font=link_face, fill=ink)
    y += round(bottom - top) + round(height * 0.025)
    if params.caption and params.caption.strip():
        lines, pixels = _fitted_lines(draw, params.caption.strip(), text_width, round(width * 0.045), bold=False)
        face = load_font("roboto", pixels, bold=False)
        left, top, right, bottom = draw.multiline_textbbox((0, 0), lines, font=face, align="center")
        draw.multiline_text(((width - (right - left)) // 2 - left, y - top), lines, font=face, fill=ink, align="center")
    poster.info["dpi"] = (150, 150)
    note = f"{_LABELS[params.size]} poster at 150 dpi; the code opens {params.url}."
    return ToolResult(outputs=[ToolOutput("qr-poster", poster)], notes=[note], operation="QR code poster made")


TOOL = Tool(
    name="qr-poster",
    title="QR code poster",
    summary="A printable poster with a title and a big QR code for your link.",
    params=QrPosterParams,
    render=_render,
    min_images=0,
)
