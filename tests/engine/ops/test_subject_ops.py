"""Subject ops: background removal and replacement, inpainting with a mask, face hiding."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.errors import OperationError, PlanError
from nanobananas.engine.ops import validate_params
from nanobananas.engine.ops.inpaint import fill_from_surroundings

from .conftest import apply


def test_remove_background_leaves_the_product_on_transparency(product: Image.Image) -> None:
    out = apply("remove_background", product)
    alpha = np.asarray(out.getchannel("A"))
    assert out.mode == "RGBA"
    assert out.size == product.size
    assert alpha[:40, :40].max() == 0
    assert alpha[-40:, -40:].max() == 0
    assert alpha[100:200, 100:200].min() == 255
    assert out.getpixel((150, 150))[:3] == (150, 20, 30)


def test_replace_background_with_a_colour(product: Image.Image) -> None:
    out = apply("replace_background", product, color="blue")
    assert out.getpixel((5, 5)) == (0, 80, 255)
    assert out.getpixel((150, 150)) == (150, 20, 30)


def test_replace_background_with_a_gradient(product: Image.Image) -> None:
    out = apply("replace_background", product, mode="gradient", color="black", color2="white")
    assert out.getpixel((5, 0))[0] < 10
    assert out.getpixel((5, 299))[0] > 245


def test_inpaint_fills_a_box_from_its_surroundings() -> None:
    image = Image.new("RGB", (100, 100), (30, 120, 200))
    image.paste((255, 255, 0), (40, 40, 60, 60))
    out = apply("inpaint", image, boxes=[(38, 38, 62, 62)])
    assert np.abs(np.asarray(out)[45:55, 45:55].astype(int) - [30, 120, 200]).max() <= 3


def test_the_shared_fill_carries_stripes_across_and_leaves_the_far_surroundings_alone() -> None:
    """The fill the erase op and the object eraser share: horizontal bands go straight on behind the hole, and
    only the hole's box and as much again around it are touched."""
    bands = np.zeros((120, 160, 3), dtype=np.uint8)
    bands[:60] = (200, 40, 40)
    bands[60:] = (40, 40, 200)
    image = Image.fromarray(bands)
    image.paste((255, 255, 0), (70, 40, 90, 80))  # a yellow box across the bands' boundary
    hole = np.zeros((120, 160), dtype=bool)
    hole[40:80, 70:90] = True
    out = np.asarray(fill_from_surroundings(image, hole, grow=2)).astype(int)
    assert np.abs(out[42:56, 72:88] - [200, 40, 40]).max() <= 25
    assert np.abs(out[64:78, 72:88] - [40, 40, 200]).max() <= 25
    # The touched area is the hole's box (grown by 2) plus 8 px (at least) or half its size on each side.
    untouched = np.ones((120, 160), dtype=bool)
    untouched[40 - 2 - 20 : 80 + 2 + 20, 70 - 2 - 10 : 90 + 2 + 10] = False
    assert np.array_equal(out[untouched], np.asarray(image).astype(int)[untouched])


def test_inpaint_accepts_a_png_mask() -> None:
    image = Image.new("RGB", (60, 60), (10, 200, 10))
    image.paste((255, 0, 0), (20, 20, 30, 30))
    mask = Image.new("L", (60, 60), 0)
    mask.paste(255, (18, 18, 32, 32))
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    out = apply("inpaint", image, mask_png=base64.b64encode(buffer.getvalue()).decode())
    assert np.abs(np.asarray(out)[22:28, 22:28].astype(int) - [10, 200, 10]).max() <= 3


def test_inpaint_needs_a_mask_and_rejects_garbage() -> None:
    with pytest.raises(PlanError, match="mask"):
        validate_params("inpaint", {})
    with pytest.raises(OperationError, match="mask"):
        apply("inpaint", Image.new("RGB", (10, 10)), mask_png="bm90IGFuIGltYWdl")


def test_blur_faces_without_a_face_says_so(product: Image.Image) -> None:
    with pytest.raises(OperationError, match="no face"):
        apply("blur_faces", product)


def _portrait() -> Image.Image:
    """A drawn face (skin, eyes, brows, nose, mouth, hair, shoulders) that the Haar cascade finds."""
    from PIL import ImageDraw

    image = Image.new("RGB", (480, 640), (120, 160, 190))
    draw = ImageDraw.Draw(image)
    draw.ellipse([60, 520, 420, 800], fill=(40, 60, 110))
    draw.ellipse([140, 110, 340, 370], fill=(70, 45, 30))
    draw.ellipse([150, 140, 330, 390], fill=(225, 185, 155))
    for x in (195, 285):
        draw.ellipse([x - 18, 230, x + 18, 250], fill=(250, 250, 250))
        draw.ellipse([x - 8, 232, x + 8, 248], fill=(40, 30, 20))
        draw.line([x - 22, 215, x + 22, 212], fill=(60, 40, 25), width=5)
    draw.line([240, 250, 232, 300], fill=(190, 140, 120), width=4)
    draw.arc([205, 300, 275, 345], 20, 160, fill=(150, 60, 60), width=5)
    return image


def test_blur_faces_hides_the_face_and_nothing_else() -> None:
    image = _portrait()
    out = np.asarray(apply("blur_faces", image)).astype(int)
    before = np.asarray(image).astype(int)
    assert np.abs(out[225:255, 175:305] - before[225:255, 175:305]).mean() > 20  # the eyes are gone
    assert np.array_equal(out[:60], before[:60])
    assert np.array_equal(out[-60:], before[-60:])


def test_passport_preset_frames_the_face() -> None:
    out = apply("resize_preset", _portrait(), preset="passport")
    assert out.size == (413, 531)
    pixels = np.asarray(out).astype(int)
    skin = np.abs(pixels - [225, 185, 155]).sum(axis=2) < 30
    rows, columns = np.nonzero(skin)
    assert skin.mean() > 0.2  # the face is large, as ID photos require
    assert abs(columns.mean() - 413 / 2) < 10  # and centred
    assert rows.min() > 531 * 0.1  # with room above the head


def test_remove_background_behind_a_person() -> None:
    out = apply("remove_background", _portrait())
    alpha = np.asarray(out.getchannel("A"))
    assert alpha[:40, :40].max() == 0
    assert alpha[:40, -40:].max() == 0
    assert alpha[260, 240] == 255  # the face
    assert alpha[620, 240] == 255  # the shoulders


def test_replace_background_with_its_own_grey(product: Image.Image) -> None:
    tinted = product.copy()
    tinted.paste((236, 200, 160), (0, 0, 300, 40))
    out = apply("replace_background", tinted, mode="grayscale")
    corner = out.getpixel((5, 5))
    assert corner[0] == corner[1] == corner[2]
    assert out.getpixel((150, 150)) == (150, 20, 30)
