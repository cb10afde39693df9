"""remove_background: cut the subject out onto transparency (RGBA) with a matted edge, for products and portraits."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import subject_matte
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["remove_background"]


@register("remove_background", version=2, params=NoParams, summary="transparent background")
def remove_background(image: Image.Image, params: NoParams) -> Image.Image:
    image = normalize_mode(image).convert("RGBA")
    matte = subject_matte(image)
    if not (matte > 0).any():
        raise OperationError("no subject was found to keep")
    # The matte's edge is already soft (matted), so it is used as it is, not blurred.
    alpha = np.asarray(image.getchannel("A"), dtype=np.float32) * matte
    image.putalpha(Image.fromarray(np.round(alpha).astype(np.uint8)))
    return image
