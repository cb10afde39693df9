"""blur_faces: hide every detected face (OpenCV Haar cascade) with a strong blur or pixelation."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageDraw, ImageFilter

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import detect_faces
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["BlurFacesParams", "blur_faces"]


class BlurFacesParams(OpParams):
    style: Literal["blur", "pixelate"] = "blur"


@register("blur_faces", version=1, params=BlurFacesParams, summary="blur or pixelate faces")
def blur_faces(image: Image.Image, params: BlurFacesParams) -> Image.Image:
    image = normalize_mode(image)
    faces = detect_faces(image)
    if not faces:
        raise OperationError("no face was found to hide")
    result = image.copy()
    for left, top, right, bottom in faces:
        pad_x, pad_y = (right - left) // 6, (bottom - top) // 6
        box = (
            max(0, left - pad_x),
            max(0, top - pad_y),
            min(image.width, right + pad_x),
            min(image.height, bottom + pad_y),
        )
        region = image.crop(box)
        if params.style == "pixelate":
            cells = max(1, region.width // 8), max(1, region.height // 8)
            hidden = region.resize(cells, Image.Resampling.BOX).resize(region.size, Image.Resampling.NEAREST)
        else:
            hidden = region.filter(ImageFilter.GaussianBlur(max(4, region.width // 6)))
        mask = Image.new("L", region.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, region.width - 1, region.height - 1), fill=255)
        result.paste(hidden, box[:2], mask)
    return result
