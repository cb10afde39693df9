"""remove_background: cut the subject out onto transparency (RGBA) with a matted edge, for products and portraits."""

from __future__ import annotations

from PIL import Image, ImageChops

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import subject_mask
from nanobananas.engine.ops.registry import NoParams, register

__all__ = ["remove_background"]


@register("remove_background", version=2, params=NoParams, summary="transparent background")
def remove_background(image: Image.Image, params: NoParams) -> Image.Image:
    image = normalize_mode(image).convert("RGBA")
    matte = subject_mask(image)
    if matte.getextrema()[1] == 0:
        raise OperationError("no subject was found to keep")
    # The matte's edge is already soft (matted), so it is used as it is, not blurred; an alpha the picture
    # already had is kept where the matte keeps the subject.
    alpha = image.getchannel("A")
    image.putalpha(matte if alpha.getextrema()[0] == 255 else ImageChops.multiply(alpha, matte))
    return image
