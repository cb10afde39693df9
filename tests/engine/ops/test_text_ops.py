"""Text and marks: add_text placement, watermark, caption bar, QR code (decoded back with OpenCV)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.ops._fonts import font_path

from .conftest import apply


def _changed_rows(before: Image.Image, after: Image.Image) -> np.ndarray:
    diff = np.abs(np.asarray(after.convert("RGB")).astype(int) - np.asarray(before.convert("RGB")).astype(int))
    return np.flatnonzero(diff.sum(axis=(1, 2)))


def test_fonts_come_from_the_installed_packages() -> None:
    assert font_path("roboto").name == "Roboto-Bold.ttf"
    assert font_path("roboto").is_file()
    assert font_path("lato", bold=False).is_file()
    assert font_path("source-sans").is_file()


@pytest.mark.parametrize(("position", "band"), [("top", (0, 120)), ("bottom", (120, 240)), ("center", (60, 180))])
def test_add_text_lands_where_asked(photo: Image.Image, position: str, band: tuple[int, int]) -> None:
    out = apply("add_text", photo, text="SUMMER", position=position)
    rows = _changed_rows(photo, out)
    assert out.size == photo.size
    assert len(rows) > 5
    assert band[0] <= rows.min()
    assert rows.max() < band[1]


def test_add_text_size_words_scale_the_letters(photo: Image.Image) -> None:
    small = _changed_rows(photo, apply("add_text", photo, text="Hi", size="small"))
    huge = _changed_rows(photo, apply("add_text", photo, text="Hi", size="huge"))
    assert len(huge) > 3 * len(small)


def test_add_text_uses_the_requested_colour(photo: Image.Image) -> None:
    out = np.asarray(apply("add_text", photo, text="MMMM", size="huge", color="red", outline=False))
    assert ((out[..., 0] == 255) & (out[..., 1] == 0) & (out[..., 2] == 0)).sum() > 500


def test_long_text_shrinks_to_fit(photo: Image.Image) -> None:
    out = apply("add_text", photo, text="A very long headline that would never fit", size="huge")
    diff = np.abs(np.asarray(out).astype(int) - np.asarray(photo).astype(int)).sum(axis=(0, 2))
    columns = np.flatnonzero(diff)
    assert columns.min() > 0
    assert columns.max() < 319


def test_watermark_is_faint_and_in_the_corner(photo: Image.Image) -> None:
    out = apply("watermark", photo, text="(c) Studio", opacity=0.3)
    diff = np.abs(np.asarray(out).astype(int) - np.asarray(photo).astype(int))
    assert diff[:120].sum() == 0
    assert diff[120:, :160].sum() == 0
    assert diff.sum() > 0
    assert diff.max() <= round(255 * 0.3) + 2


def test_tiled_watermark_covers_the_image(photo: Image.Image) -> None:
    out = apply("watermark", photo, text="DRAFT", tiled=True)
    diff = np.abs(np.asarray(out).astype(int) - np.asarray(photo).astype(int)).sum(axis=2)
    for quarter in (diff[:120, :160], diff[:120, 160:], diff[120:, :160], diff[120:, 160:]):
        assert quarter.sum() > 0


def test_caption_bar_adds_a_band_below(photo: Image.Image) -> None:
    out = apply("caption_bar", photo, text="Our trip")
    bar = max(24, round(240 * 0.12))
    assert out.size == (320, 240 + bar)
    assert np.array_equal(np.asarray(out)[:240], np.asarray(photo))
    assert out.getpixel((1, 240 + 1)) == (0, 0, 0)


def test_qr_code_scans_back_to_the_link(photo: Image.Image) -> None:
    import cv2

    out = apply("qr_code", photo.resize((640, 480)), data="https://example.com/menu", size=0.4)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.asarray(out))
    assert text == "https://example.com/menu"


def test_long_text_wraps_onto_lines_instead_of_shrinking(photo: Image.Image) -> None:
    short = _changed_rows(photo, apply("add_text", photo, text="Grand", size="large", position="top"))
    long = _changed_rows(
        photo, apply("add_text", photo, text="Grand opening of the bakery this Saturday", size="large", position="top")
    )
    assert long.max() - long.min() > 2 * (short.max() - short.min())
