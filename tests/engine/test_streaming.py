"""Bounded-memory re-encoding of big uploads and format conversion through libvips (engine/streaming.py)."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.safety import probe_image
from nanobananas.engine.streaming import PREVIEW_SIDE, STREAM_PIXELS, image_convert, image_load_within, upload_clean

# Just above the streaming threshold: these take the libvips path.
BIG = (2500, 1700)


def _png(size: tuple[int, int], colour: tuple[int, ...] = (200, 120, 40), mode: str = "RGB", **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG", **params)  # type: ignore[arg-type]
    return buffer.getvalue()


def _jpeg_turned(size: tuple[int, int]) -> bytes:
    """A camera JPEG stored sideways: pixels `size`, EXIF orientation 6 (turn 90 degrees clockwise), a GPS tag."""
    image = Image.new("RGB", size, (10, 200, 30))
    image.paste((250, 0, 0), (0, 0, size[0] // 4, size[1] // 4))  # red in the stored top-left corner
    exif = image.getexif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, exif=exif)
    return buffer.getvalue()


def test_the_big_path_starts_above_the_threshold() -> None:
    assert BIG[0] * BIG[1] > STREAM_PIXELS


def test_a_big_png_is_reencoded_without_its_metadata_and_with_a_small_preview() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at 12 Example Street")
    clean = upload_clean(_png(BIG, pnginfo=text))
    assert (clean.format, clean.width, clean.height) == ("png", 2500, 1700)
    assert b"Example Street" not in clean.data
    stored = Image.open(io.BytesIO(clean.data))
    assert (stored.format, stored.size, stored.mode) == ("PNG", (2500, 1700), "RGB")
    assert stored.getpixel((1234, 999)) == (200, 120, 40)
    assert stored.info.get("Comment") is None
    assert (clean.preview.size, clean.preview.mode) == ((PREVIEW_SIDE, 696), "RGB")
    assert clean.preview.getpixel((500, 300)) == (200, 120, 40)


def test_a_big_turned_jpeg_is_stored_upright_without_exif() -> None:
    clean = upload_clean(_jpeg_turned((2600, 1600)))
    assert (clean.format, clean.width, clean.height) == ("jpeg", 1600, 2600)
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.size == (1600, 2600)
    assert "exif" not in stored.info
    assert len(stored.getexif()) == 0
    # Turned clockwise, the stored top-left corner is now the top-right one.
    red, green, _ = stored.getpixel((1600 - 50, 50))  # type: ignore[misc]
    assert red > 200
    assert green < 50
    assert clean.preview.size == (630, PREVIEW_SIDE)


def test_a_big_picture_with_transparency_stays_png_with_alpha() -> None:
    clean = upload_clean(_png(BIG, (0, 0, 255, 128), mode="RGBA"))
    stored = Image.open(io.BytesIO(clean.data))
    assert (clean.format, stored.mode, stored.getpixel((10, 10))) == ("png", "RGBA", (0, 0, 255, 128))
    assert clean.preview.mode == "RGBA"


def test_a_big_16_bit_grey_png_becomes_8_bit_rgb() -> None:
    values = np.full((BIG[1], BIG[0]), 0x8080, dtype=np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(values).save(buffer, format="PNG")
    clean = upload_clean(buffer.getvalue())
    stored = Image.open(io.BytesIO(clean.data))
    assert (stored.mode, stored.getpixel((5, 5))) == ("RGB", (128, 128, 128))


def test_a_truncated_big_png_is_refused_as_such() -> None:
    data = _png(BIG, (1, 2, 3))
    with pytest.raises(ImageInputError, match=r"^the PNG file is (truncated|damaged)"):
        upload_clean(data[: len(data) // 2])


def test_a_small_upload_keeps_the_exact_decoder() -> None:
    clean = upload_clean(_png((40, 30), (9, 8, 7)))
    assert (clean.format, clean.width, clean.height, clean.preview.size) == ("png", 40, 30, (40, 30))


def test_a_big_picture_is_loaded_within_the_longest_side_upright() -> None:
    image = image_load_within(_jpeg_turned((2600, 1600)), longest=1000)
    assert (image.size, image.mode) == ((615, 1000), "RGB")
    red, green, _ = image.getpixel((615 - 20, 20))  # type: ignore[misc]
    assert red > 200
    assert green < 50


def test_a_picture_within_the_longest_side_is_loaded_whole() -> None:
    image = image_load_within(_png(BIG, (1, 2, 3)), longest=4096)
    assert (image.size, image.getpixel((0, 0))) == (BIG, (1, 2, 3))
    small = image_load_within(_png((1200, 900), (1, 2, 3)), longest=600)
    assert small.size == (600, 450)


@pytest.mark.parametrize(("fmt", "pillow_name"), [("webp", "WEBP"), ("jpeg", "JPEG"), ("png", "PNG")])
def test_a_stored_big_picture_converts_through_libvips(fmt: str, pillow_name: str) -> None:
    converted = image_convert(_png(BIG, (30, 90, 160)), format=fmt, quality=92)
    image = Image.open(io.BytesIO(converted))
    assert (image.format, image.size) == (pillow_name, BIG)
    assert all(abs(a - b) <= 3 for a, b in zip(image.convert("RGB").getpixel((100, 100)), (30, 90, 160), strict=True))  # type: ignore[arg-type]


def test_conversion_to_an_unknown_format_is_refused() -> None:
    with pytest.raises(ImageInputError, match="cannot convert to 'bmp'"):
        image_convert(_png((4, 4)), format="bmp")


def test_a_png_header_probe_finds_a_late_exif_orientation_without_decoding() -> None:
    image = Image.new("RGB", (30, 20))
    exif = image.getexif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    assert (probe_image(buffer.getvalue()).width, probe_image(buffer.getvalue()).height) == (20, 30)


def _peak_mb_of(script: str, tmp_path: Path) -> float:
    """Run `script` in a fresh interpreter; it prints the growth of its own peak RSS in MB."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip())


_MEASURE = """
    import resource, sys
    from pathlib import Path
    data = Path("picture").read_bytes()
    from nanobananas.engine.safety import probe_image
    from nanobananas.engine.streaming import upload_clean, image_convert, image_load_within
    import pyvips
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    {call}
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


@pytest.fixture
def picture_49mp(tmp_path: Path) -> Path:
    """The issue's attack file: a 7000x7000 one-colour PNG of about 150 KB (147 MB once decoded as RGB)."""
    (tmp_path / "picture").write_bytes(_png((7000, 7000)))
    return tmp_path


def test_probing_a_49mp_png_decodes_no_pixels(picture_49mp: Path) -> None:
    grown = _peak_mb_of(_MEASURE.format(call="probe_image(data)"), picture_49mp)
    assert grown < 20, f"the probe grew the peak by {grown:.0f} MB"


def test_cleaning_a_49mp_upload_never_holds_it_decoded(picture_49mp: Path) -> None:
    grown = _peak_mb_of(_MEASURE.format(call="upload_clean(data)"), picture_49mp)
    assert grown < 60, f"re-encoding grew the peak by {grown:.0f} MB (a full decode is 147 MB)"


def test_loading_a_49mp_picture_within_2048_pixels_never_holds_it_whole(picture_49mp: Path) -> None:
    grown = _peak_mb_of(_MEASURE.format(call="image_load_within(data, longest=2048)"), picture_49mp)
    assert grown < 60, f"loading grew the peak by {grown:.0f} MB (a full decode is 147 MB)"


def test_cleaning_a_turned_49mp_jpeg_holds_it_at_most_once(tmp_path: Path) -> None:
    # Turning needs the whole picture: one 8-bit copy (147 MB), and no second pass over every JPEG
    # coefficient (optimized Huffman tables took this to 730 MB).
    (tmp_path / "picture").write_bytes(_jpeg_turned((7000, 7000)))
    grown = _peak_mb_of(_MEASURE.format(call="upload_clean(data)"), tmp_path)
    assert grown < 260, f"re-encoding grew the peak by {grown:.0f} MB"
