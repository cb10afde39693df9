"""gamma: midtone correction; gamma above 1 lifts the midtones, below 1 deepens them."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["GammaParams", "gamma"]


class GammaParams(OpParams):
    gamma: float = Field(gt=0.05, le=10)


@register("gamma", version=1, params=GammaParams, summary="gamma correction", regional=True)
def gamma(image: Image.Image, params: GammaParams) -> Image.Image:
    table = [round(255 * (v / 255) ** (1 / params.gamma)) for v in range(256)]
    return on_rgb(image, lambda rgb: rgb.point(table * 3))
