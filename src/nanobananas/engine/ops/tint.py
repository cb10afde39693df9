"""tint: the green-magenta axis of white balance, positive is more magenta."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["TintParams", "tint"]


class TintParams(OpParams):
    amount: float = Field(ge=-1, le=1)


def _gain(factor: float) -> list[int]:
    return [min(255, max(0, round(v * factor))) for v in range(256)]


@register("tint", version=1, params=TintParams, summary="green or magenta tint", regional=True)
def tint(image: Image.Image, params: TintParams) -> Image.Image:
    a = params.amount
    table = _gain(1 + 0.06 * a) + _gain(1 - 0.12 * a) + _gain(1 + 0.06 * a)
    return on_rgb(image, lambda rgb: rgb.point(table))
