"""Thin, high-contrast details on a plain backdrop (letters, rules) stay part of the subject."""

from __future__ import annotations

from PIL import Image, ImageDraw

from nanobananas.engine.ops import get_operation, validate_params


def _poster() -> Image.Image:
    image = Image.new("RGB", (1000, 1400), (250, 240, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle([300, 300, 700, 700], fill=(120, 60, 30))  # the big shape GrabCut finds
    draw.line([100, 900, 900, 900], fill=(70, 40, 20), width=3)  # a thin rule
    draw.rectangle([480, 1000, 483, 1100], fill=(70, 40, 20))  # a stroke as thin as an 'i'
    return image


def test_remove_background_keeps_thin_strokes_and_clears_the_backdrop() -> None:
    op = get_operation("remove_background")
    cut = op.apply(_poster(), validate_params("remove_background", {}))
    alpha = cut.getchannel("A")
    assert alpha.getpixel((5, 5)) == 0
    assert alpha.getpixel((500, 500)) == 255
    assert alpha.getpixel((500, 900)) > 200, "the thin rule was cut away"
    assert alpha.getpixel((481, 1050)) > 200, "the thin stroke was cut away"
    assert alpha.getpixel((500, 960)) == 0, "the backdrop between details stays clear"


def test_replace_background_keeps_thin_strokes() -> None:
    op = get_operation("replace_background")
    result = op.apply(_poster(), validate_params("replace_background", {"mode": "color", "color": "blue"})).convert(
        "RGB"
    )
    red, _, blue = result.getpixel((5, 5))
    assert blue > 200, "the backdrop became blue"
    assert red < 60, "the backdrop became blue"
    _, _, blue = result.getpixel((481, 1050))
    assert blue < 120, "the thin stroke kept its colour"
