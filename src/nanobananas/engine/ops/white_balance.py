"""white_balance: automatic grey-world correction of a colour cast."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import from_float, on_rgb, to_float
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["white_balance"]


@register(
    "white_balance",
    version=1,
    params=NoParams,
    summary="remove a colour cast automatically",
    regional=True,
)
def white_balance(image: Image.Image, params: NoParams) -> Image.Image:
    def apply(rgb: Image.Image) -> Image.Image:
        pixels = to_float(rgb)
        means = pixels.reshape(-1, 3).mean(axis=0)
        gains = np.clip(means.mean() / np.maximum(means, 1), 0.5, 2.0)
        return from_float(pixels * gains.astype(np.float32))

    return on_rgb(image, apply)
