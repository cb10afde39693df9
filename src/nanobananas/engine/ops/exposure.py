"""exposure: change in photographic stops, applied in linear light (+1 doubles the light)."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["ExposureParams", "exposure"]


class ExposureParams(OpParams):
    stops: float = Field(ge=-5, le=5)


def _table(stops: float) -> list[int]:
    gain = 2.0**stops
    table = []
    for value in range(256):
        linear = (value / 255) ** 2.2 * gain
        table.append(min(255, max(0, round(255 * min(1.0, linear) ** (1 / 2.2)))))
    return table


@register("exposure", version=1, params=ExposureParams, summary="exposure in stops", regional=True)
def exposure(image: Image.Image, params: ExposureParams) -> Image.Image:
    table = _table(params.stops)
    return on_rgb(image, lambda rgb: rgb.point(table * 3))
