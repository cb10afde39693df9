"""product-photo tool: the product cut out and centred on white or a soft gradient with a soft contact shadow,
at a marketplace's size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from pydantic import Field

from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.background import METHOD_NOTE, cut_out
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["PRESETS", "TOOL", "ProductPhotoParams", "ProductPreset"]

_PREVIEW_SIDE = 512
# Alpha at or above this counts as the product when its bounding box is measured.
_SOLID = 96
# A cut-out covering nearly the whole photo means the product could not be told from a background.
_WHOLE_FRAME = 0.97


@dataclass(frozen=True)
class ProductPreset:
    """A marketplace's look: the canvas shape, its background (top and bottom colour), how much of the frame
    the product fills, and the shadow's strength."""

    label: str
    aspect: float
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]
    fill: float
    shadow: float


PRESETS: dict[str, ProductPreset] = {
    # Amazon's main image: pure white (255, 255, 255), the product filling about 85% of the frame.
    "amazon": ProductPreset("Amazon", 1.0, (255, 255, 255), (255, 255, 255), 0.85, 0.3),
    # Etsy shows listing photos at 4:3; a warm off-white suits handmade goods.
    "etsy": ProductPreset("Etsy", 4 / 3, (250, 248, 245), (250, 248, 245), 0.72, 0.35),
    # Shopify themes crop to a square; a light neutral grey keeps white products visible.
    "shopify": ProductPreset("Shopify", 1.0, (246, 246, 246), (246, 246, 246), 0.8, 0.35),
    "white": ProductPreset("White", 1.0, (255, 255, 255), (255, 255, 255), 0.8, 0.35),
    "gradient": ProductPreset("Gradient", 1.0, (255, 255, 255), (222, 226, 232), 0.75, 0.4),
}


class ProductPhotoParams(OpParams):
    preset: Literal["amazon", "etsy", "shopify", "white", "gradient"] = "amazon"
    size: int = Field(default=2000, ge=500, le=4000, description="the long side in pixels")
    shadow: bool = Field(default=True, description="a soft contact shadow under the product")


def _backdrop(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    if top == bottom:
        return Image.new("RGB", size, top)
    column = Image.new("RGB", (1, 256))
    column.putdata([tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom, strict=True)) for i in range(256)])
    return column.resize(size, Image.Resampling.BILINEAR)


def _contact_shadow(size: tuple[int, int], product: tuple[int, int, int, int], strength: float) -> Image.Image:
    """An 'L' darkness map: a soft flat ellipse where the product meets the ground."""
    left, _top, right, bottom = product
    width = right - left
    height = max(4, round(width * 0.07))
    shadow = Image.new("L", size, 0)
    inset = width * 0.06
    ImageDraw.Draw(shadow).ellipse(
        (left + inset, bottom - height * 0.6, right - inset, bottom + height * 0.4), fill=round(255 * strength)
    )
    return shadow.filter(ImageFilter.GaussianBlur(max(2, height * 0.6)))


def _render(
    images: list[Image.Image], params: ProductPhotoParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    preset = PRESETS[params.preset]
    long_side = _PREVIEW_SIDE if preview else params.size
    canvas = (
        (long_side, round(long_side / preset.aspect))
        if preset.aspect >= 1
        else (round(long_side * preset.aspect), long_side)
    )
    progress(10, "cutting out the product")
    cutout = cut_out(images[0])
    solid = cutout.getchannel("A").point(lambda value: 255 if value >= _SOLID else 0)
    box = solid.getbbox()
    covered = np.asarray(solid, dtype=bool).mean()
    if box is None or covered > _WHOLE_FRAME:
        raise ToolError(
            "the product could not be told from its background: try a photo with some plain space around it",
            code="no_subject",
        )
    product = cutout.crop(box)
    progress(50, "placing it on the backdrop")
    scale = min(canvas[0] * preset.fill / product.width, canvas[1] * preset.fill / product.height)
    placed_size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    product = product.resize(placed_size, Image.Resampling.LANCZOS)
    x0, y0 = (canvas[0] - placed_size[0]) // 2, (canvas[1] - placed_size[1]) // 2
    result = _backdrop(canvas, preset.top, preset.bottom)
    if params.shadow:
        darkness = _contact_shadow(canvas, (x0, y0, x0 + placed_size[0], y0 + placed_size[1]), preset.shadow)
        pixels = np.asarray(result, dtype=np.float32) * (1 - np.asarray(darkness, dtype=np.float32)[..., None] / 255)
        result = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    result.paste(product, (x0, y0), product)
    notes = [
        f"{preset.label} style: {canvas[0]}x{canvas[1]} pixels, the product filling {round(preset.fill * 100)}% "
        "of the frame" + (" with a soft contact shadow." if params.shadow else "."),
        METHOD_NOTE,
    ]
    return ToolResult(outputs=[ToolOutput("product", result)], notes=notes, operation=f"{preset.label} product photo")


TOOL = Tool(
    name="product-photo",
    title="Product photo",
    summary="Your product cut out and centred on white or a soft gradient, ready for a marketplace.",
    params=ProductPhotoParams,
    render=_render,
    slow=True,
)
