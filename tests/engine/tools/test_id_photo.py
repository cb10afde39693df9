"""ID photos measured against each country's spec on a real portrait: exact pixels, head height, eye line or top
margin, face centred, plain background; the print sheet; no face and several faces."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.ops._subject import detect_faces
from nanobananas.engine.tools import ToolError, run_tool
from nanobananas.engine.tools.id_photo import DPI, MM_PER_INCH, SPECS, chin_of, layout_sheet

EXACT_PIXELS = {
    "us": (600, 600),
    "eu": (413, 531),
    "uk": (413, 531),
    "ca": (591, 827),
    "in": (600, 600),
    "cn": (390, 567),
}


def _mm(pixels: float) -> float:
    return pixels / DPI * MM_PER_INCH


def _measure(photo: Image.Image, background: tuple[int, int, int]) -> dict[str, float]:
    """Where the head is in a finished ID photo, measured independently of how it was made: the face found afresh,
    the top of the hair as the first row unlike the plain background above the face."""
    [face] = [face for face in detect_faces(photo) if face[2] - face[0] > photo.width * 0.2]
    left, top, right, bottom = face
    pixels = np.asarray(photo, dtype=np.int16)
    middle = pixels[:, left + (right - left) // 4 : right - (right - left) // 4]
    unlike = np.abs(middle - np.asarray(background, dtype=np.int16)).sum(axis=2) > 40
    rows = np.flatnonzero(unlike.mean(axis=1) > 0.3)
    crown = float(rows[0])
    return {
        "centre_x": (left + right) / 2,
        "crown": crown,
        "head": chin_of(face) - crown,
        "eyes": top + 0.38 * (bottom - top),
    }


@pytest.mark.parametrize("country", list(SPECS))
def test_the_photo_meets_the_country_spec(astronaut: Image.Image, country: str) -> None:
    spec = SPECS[country]
    result = run_tool("id-photo", [astronaut], {"country": country, "sheet": False})
    [output] = result.outputs
    photo = output.image
    assert photo is not None
    assert photo.size == EXACT_PIXELS[country]
    assert photo.info["dpi"] == (300, 300)
    measured = _measure(photo, spec.background)
    low, high = spec.head_mm
    assert low <= _mm(measured["head"]) <= high
    # Face centred: within 2% of the width.
    assert abs(measured["centre_x"] - photo.width / 2) <= 0.02 * photo.width
    if spec.eyes_from_bottom_mm is not None:
        eyes_low, eyes_high = spec.eyes_from_bottom_mm
        assert eyes_low <= _mm(photo.height - measured["eyes"]) <= eyes_high
    else:
        assert spec.top_margin_mm is not None
        assert abs(_mm(measured["crown"]) - spec.top_margin_mm) <= 1.0
    # Plain background: the top corners are exactly the spec's colour.
    assert photo.getpixel((2, 2)) == spec.background
    assert photo.getpixel((photo.width - 3, 2)) == spec.background
    assert result.operation == f"{spec.label} photo"


def test_the_names_say_the_country_and_size(astronaut: Image.Image) -> None:
    names = {
        country: run_tool("id-photo", [astronaut], {"country": country}).outputs[0].name for country in ("us", "cn")
    }
    assert names == {"us": "passport-us-2x2", "cn": "passport-cn-33x48"}


@pytest.mark.parametrize(("scale", "where"), [(0.6, (40, 380)), (2.0, (470, 60))])
def test_the_head_is_placed_the_same_wherever_and_however_large_it_is(
    astronaut: Image.Image, scale: float, where: tuple[int, int]
) -> None:
    """The portrait shrunk or enlarged and put somewhere on a larger plain canvas: the same US photo comes out."""
    portrait = astronaut.resize((round(512 * scale), round(512 * scale)), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (portrait.width + 500, portrait.height + 400), (90, 110, 130))
    canvas.paste(portrait, where)
    photo = run_tool("id-photo", [canvas], {"country": "us", "sheet": False}).outputs[0].image
    assert photo is not None
    assert photo.size == (600, 600)
    measured = _measure(photo, (255, 255, 255))
    assert 1.0 <= measured["head"] / DPI <= 1.375
    assert 1.125 <= (600 - measured["eyes"]) / DPI <= 1.375
    assert abs(measured["centre_x"] - 300) <= 12


def test_the_sheet_is_4x6_inches_with_as_many_copies_as_fit(astronaut: Image.Image) -> None:
    result = run_tool("id-photo", [astronaut], {"country": "us"})
    photo, sheet = (output.image for output in result.outputs)
    assert photo is not None
    assert sheet is not None
    assert result.outputs[1].name == "sheet-4x6"
    assert sheet.size == (1200, 1800)
    assert sheet.info["dpi"] == (300, 300)
    # 2x2 in on 4x6 in: 2 across, 3 down, edge to edge; every copy is the photo itself.
    pixels, copy = np.asarray(sheet), np.asarray(photo)
    for row in range(3):
        for column in range(2):
            assert np.array_equal(pixels[row * 600 : (row + 1) * 600, column * 600 : (column + 1) * 600], copy)
    assert "holds 6 copies" in " ".join(result.notes)


@pytest.mark.parametrize(("size", "copies"), [((413, 531), 8), ((390, 567), 9), ((591, 827), 4)])
def test_the_sheet_turns_the_copies_when_more_fit(size: tuple[int, int], copies: int) -> None:
    photo = Image.new("RGB", size, (200, 30, 30))
    sheet, count = layout_sheet(photo)
    assert sheet.size == (1200, 1800)
    assert count == copies
    red = (np.asarray(sheet)[..., 1] == 30).sum()
    assert red == copies * size[0] * size[1]


def test_no_face_is_a_clear_error(coffee: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("id-photo", [coffee], {})
    assert caught.value.code == "no_face"
    assert str(caught.value).startswith("no face was found: try a front-facing photo")


def test_two_people_are_a_clear_error(astronaut: Image.Image) -> None:
    pair = Image.new("RGB", (1024, 512))
    pair.paste(astronaut, (0, 0))
    pair.paste(astronaut, (512, 0))
    with pytest.raises(ToolError) as caught:
        run_tool("id-photo", [pair], {})
    assert caught.value.code == "several_faces"
    assert str(caught.value) == "2 faces were found: an ID photo needs a photo of one person alone"


def test_an_unknown_country_is_refused(astronaut: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("id-photo", [astronaut], {"country": "fr"})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "country")
