"""warmth: colour temperature, positive is warmer (more red/yellow), negative cooler (more blue)."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["WarmthParams", "warmth"]


class WarmthParams(OpParams):
    amount: float = Field(ge=-1, le=1)


def _gain(factor: float) -> list[int]:
    return [min(255, max(0, round(v * factor))) for v in range(256)]


@register(
    "warmth",
    version=1,
    params=WarmthParams,
    summary="warmer or cooler colour temperature",
    regional=True,
)
def warmth(image: Image.Image, params: WarmthParams) -> Image.Image:
    a = params.amount
    table = _gain(1 + 0.15 * a) + _gain(1 + 0.03 * a) + _gain(1 - 0.15 * a)
    return on_rgb(image, lambda rgb: rgb.point(table))
