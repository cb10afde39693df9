"""qr_code: a scannable QR code for a text or link, placed in a corner on a white quiet zone."""

from __future__ import annotations

from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._text import Position, place
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["QrCodeParams", "qr_code"]


class QrCodeParams(OpParams):
    data: str = Field(min_length=1, max_length=1000)
    position: Position = "bottom-right"
    size: float = Field(default=0.25, gt=0.05, le=1)


@register("qr_code", version=1, params=QrCodeParams, summary="add a QR code")
def qr_code(image: Image.Image, params: QrCodeParams) -> Image.Image:
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=2)
    code.add_data(params.data)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    mark = Image.new("L", (modules, modules), 255)
    mark.putdata([0 if dark else 255 for row in matrix for dark in row])
    image = normalize_mode(image)
    side = max(modules, round(min(image.size) * params.size))
    side -= side % modules
    mark = mark.resize((side, side), Image.Resampling.NEAREST).convert(image.mode)
    result = image.copy()
    result.paste(
        mark,
        place(
            image.size,
            (side, side),
            params.position,
            max(4, round(min(image.size) * 0.03)),
        ),
    )
    return result
