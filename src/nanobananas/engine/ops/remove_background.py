"""remove_background: cut the subject out onto transparency (RGBA), for products and portraits."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import subject_mask
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["remove_background"]


@register("remove_background", version=1, params=NoParams, summary="transparent background")
def remove_background(image: Image.Image, params: NoParams) -> Image.Image:
    image = normalize_mode(image).convert("RGBA")
    mask = subject_mask(image).filter(ImageFilter.GaussianBlur(1))
    if mask.getextrema()[1] == 0:
        raise OperationError("no subject was found to keep")
    image.putalpha(ImageChops.multiply(image.getchannel("A"), mask))
    return image
