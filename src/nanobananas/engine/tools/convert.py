"""convert tool: another file format, optionally compressed to fit a size in KB (quality first, then pixels)."""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image
from pydantic import Field

from nanobananas.engine.codecs import DEFAULT_QUALITY, encode_image, supported_formats
from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["TOOL", "ConvertParams"]

_CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}


class ConvertParams(OpParams):
    format: Literal["jpeg", "png", "webp", "avif"] = "jpeg"
    target_kb: int | None = Field(default=None, ge=1, le=100_000, description="the largest file wanted, in KB")
    quality: int | None = Field(default=None, ge=1, le=100, description="the encoder's quality (lossy formats)")


def _render(
    images: list[Image.Image], params: ConvertParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    if params.format not in supported_formats():
        raise ToolError(
            f"this installation cannot write {params.format.upper()}; choose jpeg, png or webp",
            code="bad_parameter",
            field="format",
        )
    image = images[0]
    limit = params.target_kb * 1024 if params.target_kb is not None else None
    progress(10, f"encoding as {params.format.upper()}")
    try:
        data = encode_image(image, format=params.format, quality=params.quality, max_bytes=limit)
    except OperationError as error:
        raise ToolError(str(error), code="bad_parameter", field="target_kb") from error
    result = Image.open(io.BytesIO(data))
    result.load()
    label = params.format.upper()
    notes = [f"Saved as {label}: {len(data) / 1024:.1f} KB."]
    if params.target_kb is not None:
        notes.append(f"The file is under the {params.target_kb} KB target.")
    if result.size != image.size:
        notes.append(f"Scaled down from {image.width}x{image.height} to {result.width}x{result.height} to fit.")
    if image.mode == "RGBA" and params.format == "jpeg":
        notes.append("JPEG has no transparency, so transparent areas became white.")
    quality = params.quality if params.quality is not None else DEFAULT_QUALITY.get(params.format)
    operation = f"converted to {label}" if params.target_kb is None else f"compressed to {params.target_kb} KB {label}"
    if quality is not None and params.target_kb is None:
        notes.append(f"Quality {quality}.")
    output = ToolOutput("converted", result, data=data, content_type=_CONTENT_TYPES[params.format])
    return ToolResult(outputs=[output], notes=notes, operation=operation)


TOOL = Tool(
    name="convert",
    title="Convert and compress",
    summary="Save as JPEG, PNG, WebP or AVIF, and shrink the file to a size in KB.",
    params=ConvertParams,
    render=_render,
)
