"""Tests for the guarded decoder against a folder of nasty files that the tests generate."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, features

from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.safety import (
    DEFAULT_MAX_PIXELS,
    ImageInfo,
    accepted_formats,
    decode_image,
    format_megapixels,
    probe_image,
)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)


def _distance(pixel: object, expected: tuple[int, ...]) -> int:
    """Largest per-channel difference, for lossy formats."""
    assert isinstance(pixel, tuple)
    return max(abs(int(a) - b) for a, b in zip(pixel, expected, strict=True))


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _raw_png(width: int, height: int, *, bit_depth: int, color_type: int, rows: list[bytes]) -> bytes:
    """A PNG written byte by byte, for what Pillow cannot write (16-bit RGB, lying headers)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    scanlines = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(scanlines))
        + _png_chunk(b"IEND", b"")
    )


def _photo(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A small image with structure, so that cutting its file loses real data."""
    gradient = Image.linear_gradient("L").resize(size)
    return Image.merge(
        "RGB",
        (
            gradient,
            gradient.transpose(Image.Transpose.ROTATE_90).resize(size),
            gradient,
        ),
    )


def bomb_png() -> bytes:
    # 100000 x 100000 pixels declared, a few bytes of data: 10 GB if anyone decoded it.
    return _raw_png(100_000, 100_000, bit_depth=8, color_type=0, rows=[b"\x00"])


def bomb_jpeg() -> bytes:
    data = bytearray(_save(_photo(), "JPEG"))
    start = data.index(b"\xff\xc0")
    data[start + 5 : start + 9] = struct.pack(">HH", 60_000, 60_000)
    return bytes(data)


def bomb_gif_frame() -> bytes:
    # A 10x10 screen whose first frame claims 8000x8000: the canvas grows while opening.
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 8000, 8000, 0)
        + b"\x02\x02\x44\x01\x00"
        + b"\x3b"
    )


def metadata_bomb_png() -> bytes:
    # A 4x4 picture carrying a compressed text chunk that inflates to 20 MB.
    picture = _raw_png(4, 4, bit_depth=8, color_type=0, rows=[b"\x00" * 4] * 4)
    text = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * 20_000_000, 9))
    end_of_header = 8 + 25  # signature and IHDR chunk
    return picture[:end_of_header] + text + picture[end_of_header:]


def truncated_jpeg() -> bytes:
    data = _save(_photo(), "JPEG", quality=95)
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    data = _save(_photo(), "PNG")
    return data[: len(data) // 2]


def cmyk_jpeg() -> bytes:
    return _save(Image.new("CMYK", (8, 6), (0, 255, 255, 0)), "JPEG", quality=100)


def _marked(size: tuple[int, int]) -> Image.Image:
    """Blue, with red at the stored top-left pixel and green just right of it."""
    image = Image.new("RGB", size, BLUE)
    image.putpixel((0, 0), RED)
    image.putpixel((1, 0), GREEN)
    return image


def _with_orientation(image: Image.Image, fmt: str, orientation: int, **params: object) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(image, fmt, exif=exif.tobytes(), **params)


def orientation_6_jpeg() -> bytes:
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 8, 8))
    return _with_orientation(image, "JPEG", 6, quality=100)


def one_pixel_png() -> bytes:
    return _save(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG")


def sixteen_bit_gray_png() -> bytes:
    image = Image.new("I;16", (4, 1))
    for x, value in enumerate((0, 1000, 32896, 65535)):
        image.putpixel((x, 0), value)
    return _save(image, "PNG")


def sixteen_bit_rgb_png() -> bytes:
    row = struct.pack(">6H", 65535, 32896, 0, 0, 0, 65535)
    return _raw_png(2, 1, bit_depth=16, color_type=2, rows=[row])


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (10, 10), color) for color in (RED, GREEN, BLUE)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_transparent_png() -> bytes:
    image = Image.new("P", (4, 2), 0)
    image.putpalette([*RED, *GREEN])
    for x in range(2, 4):
        image.putpixel((x, 0), 1)
        image.putpixel((x, 1), 1)
    return _save(image, "PNG", transparency=0)


def text_as_png() -> bytes:
    return b"Shopping list:\n- bananas\n- flour\n"


def svg_drawing() -> bytes:
    return b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'


def pdf_document() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def bmp_image() -> bytes:
    return _save(Image.new("RGB", (3, 3), RED), "BMP")


def heic_photo() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


NASTY_FILES: dict[str, Callable[[], bytes]] = {
    "bomb.png": bomb_png,
    "bomb.jpg": bomb_jpeg,
    "bomb-frame.gif": bomb_gif_frame,
    "metadata-bomb.png": metadata_bomb_png,
    "truncated.jpg": truncated_jpeg,
    "truncated.png": truncated_png,
    "cmyk.jpg": cmyk_jpeg,
    "orientation-6.jpg": orientation_6_jpeg,
    "one-pixel.png": one_pixel_png,
    "sixteen-bit-gray.png": sixteen_bit_gray_png,
    "sixteen-bit-rgb.png": sixteen_bit_rgb_png,
    "animated.gif": animated_gif,
    "palette-transparent.png": palette_transparent_png,
    "zero-bytes.png": lambda: b"",
    "notes.png": text_as_png,
    "drawing.svg.png": svg_drawing,
    "document.pdf.jpg": pdf_document,
    "bitmap.bmp.png": bmp_image,
    "photo.heic.jpg": heic_photo,
}


@pytest.fixture(scope="module")
def nasty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nasty")
    for name, make in NASTY_FILES.items():
        (folder / name).write_bytes(make())
    return folder


def _read(folder: Path, name: str) -> bytes:
    return (folder / name).read_bytes()


def _error(data: bytes, **kwargs: int) -> str:
    with pytest.raises(ImageInputError) as caught:
        decode_image(data, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("name", sorted(NASTY_FILES))
def test_every_nasty_file_gives_an_image_or_a_clear_error(nasty_dir: Path, name: str) -> None:
    try:
        image = decode_image(_read(nasty_dir, name))
    except ImageInputError as error:
        message = str(error)
        assert message.startswith("the ")
    else:
        assert image.mode in ("RGB", "RGBA")


def test_png_bomb_is_refused_from_its_header(nasty_dir: Path) -> None:
    message = _error(_read(nasty_dir, "bomb.png"))
    assert message == "the image is 100000x100000 (10000 MP), above the 50 MP limit"


def test_jpeg_bomb_is_refused_from_its_header(nasty_dir: Path) -> None:
    message = _error(_read(nasty_dir, "bomb.jpg"))
    assert message == "the image is 60000x60000 (3600 MP), above the 50 MP limit"


def test_gif_frame_growing_the_canvas_is_refused(nasty_dir: Path) -> None:
    message = _error(_read(nasty_dir, "bomb-frame.gif"))
    assert message == "the image is 8000x8000 (64 MP), above the 50 MP limit"


def test_compressed_metadata_bomb_is_refused(nasty_dir: Path) -> None:
    assert _error(_read(nasty_dir, "metadata-bomb.png")) == "the PNG file is damaged and cannot be read"


def test_bomb_is_refused_by_probe_too(nasty_dir: Path) -> None:
    with pytest.raises(ImageInputError, match="above the 50 MP limit"):
        probe_image(_read(nasty_dir, "bomb.png"))


def test_pixel_limit_is_per_call_and_exact() -> None:
    data = _save(Image.new("RGB", (100, 50), RED), "PNG")
    assert decode_image(data, max_pixels=5000).size == (100, 50)
    assert _error(data, max_pixels=4999) == ("the image is 100x50 (0.005 MP), above the 0.005 MP limit")


def test_limit_above_pillows_global_one_needs_no_global_change() -> None:
    before = Image.MAX_IMAGE_PIXELS
    header = _raw_png(20_000, 10_000, bit_depth=8, color_type=0, rows=[b"\x00"])
    # 200 MP is over Pillow's own 89 MP warning level; with -W error a global check would fail.
    assert probe_image(header, max_pixels=300_000_000) == ImageInfo("png", 20_000, 10_000)
    assert before == Image.MAX_IMAGE_PIXELS


def test_limits_of_concurrent_calls_do_not_mix() -> None:
    data = _save(Image.new("RGB", (100, 50), RED), "PNG")

    def decode_with(limit: int) -> str:
        try:
            return f"{decode_image(data, max_pixels=limit).size}"
        except ImageInputError:
            return "refused"

    limits = [4999, 5000] * 50
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(decode_with, limits))
    assert results == ["refused", "(100, 50)"] * 50


def test_default_limit_is_fifty_megapixels() -> None:
    assert DEFAULT_MAX_PIXELS == 50_000_000


@pytest.mark.parametrize("name", ["truncated.jpg", "truncated.png"])
def test_truncated_files_are_refused(nasty_dir: Path, name: str) -> None:
    label = "JPEG" if name.endswith(".jpg") else "PNG"
    assert _error(_read(nasty_dir, name)) == (
        f"the {label} file is truncated (incomplete) and cannot be read; try uploading it again"
    )


def test_jpeg_missing_only_its_end_marker_is_truncated() -> None:
    data = _save(_photo(), "JPEG")
    assert "truncated" in _error(data[:-2])


def test_jpeg_cut_inside_its_header_is_refused() -> None:
    data = _save(_photo(), "JPEG")
    assert _error(data[:40]).startswith("the JPEG file is")


def test_cmyk_jpeg_becomes_rgb(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "cmyk.jpg"))
    assert image.mode == "RGB"
    assert image.size == (8, 6)
    assert _distance(image.getpixel((4, 3)), RED) <= 3


def test_cmyk_tiff_becomes_rgb_exactly() -> None:
    data = _save(Image.new("CMYK", (3, 2), (0, 255, 255, 0)), "TIFF")
    image = decode_image(data)
    assert (image.mode, image.size) == ("RGB", (3, 2))
    assert image.getpixel((2, 1)) == RED


SWOP_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@pytest.mark.skipif(not SWOP_PROFILE.exists(), reason="needs Ghostscript's CMYK profile (Debian: ghostscript)")
@pytest.mark.parametrize(
    ("cmyk", "rgb"),
    [((255, 0, 0, 0), (0, 175, 239)), ((0, 255, 255, 0), (237, 39, 45)), ((0, 0, 0, 255), (43, 41, 42))],
)
def test_cmyk_with_a_profile_is_converted_through_it(cmyk: tuple[int, ...], rgb: tuple[int, ...]) -> None:
    data = _save(Image.new("CMYK", (4, 4), cmyk), "TIFF", icc_profile=SWOP_PROFILE.read_bytes())
    image = decode_image(data)
    assert image.mode == "RGB"
    assert _distance(image.getpixel((1, 1)), rgb) <= 2
    assert "icc_profile" not in image.info


def test_cmyk_with_a_broken_profile_falls_back_to_the_formula() -> None:
    data = _save(Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "TIFF", icc_profile=b"not a profile" * 10)
    image = decode_image(data)
    assert image.getpixel((1, 1)) == RED
    assert "icc_profile" not in image.info


def test_grey_profile_is_not_kept_on_rgb_pixels_but_dpi_is() -> None:
    data = _save(Image.new("L", (4, 4), 9), "PNG", icc_profile=b"grey profile" * 10, dpi=(300, 300))
    image = decode_image(data)
    assert (image.mode, image.getpixel((0, 0))) == ("RGB", (9, 9, 9))
    assert "icc_profile" not in image.info
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)  # PNG stores dots per metre


def test_rgb_profile_is_kept() -> None:
    data = _save(Image.new("RGB", (4, 4), RED), "PNG", icc_profile=b"rgb profile" * 10)
    assert decode_image(data).info["icc_profile"] == b"rgb profile" * 10


def test_orientation_6_jpeg_is_turned_upright(nasty_dir: Path) -> None:
    data = _read(nasty_dir, "orientation-6.jpg")
    image = decode_image(data)
    # Stored 40x20 with red in the top-left 8x8; orientation 6 means "rotate 90 degrees
    # clockwise to display", so the displayed image is 20x40 with red at the top-right.
    assert image.size == (20, 40)
    assert _distance(image.getpixel((17, 2)), RED) <= 5
    assert _distance(image.getpixel((2, 2)), BLUE) <= 5
    assert image.getexif().get(0x0112) is None
    assert probe_image(data) == ImageInfo("jpeg", 20, 40)


@pytest.mark.parametrize(
    ("orientation", "size", "red_at", "green_at"),
    [
        (1, (5, 3), (0, 0), (1, 0)),
        (2, (5, 3), (4, 0), (3, 0)),
        (3, (5, 3), (4, 2), (3, 2)),
        (4, (5, 3), (0, 2), (1, 2)),
        (5, (3, 5), (0, 0), (0, 1)),
        (6, (3, 5), (2, 0), (2, 1)),
        (7, (3, 5), (2, 4), (2, 3)),
        (8, (3, 5), (0, 4), (0, 3)),
    ],
)
def test_every_exif_orientation_lands_corners_exactly(
    orientation: int,
    size: tuple[int, int],
    red_at: tuple[int, int],
    green_at: tuple[int, int],
) -> None:
    data = _with_orientation(_marked((5, 3)), "PNG", orientation)
    image = decode_image(data)
    assert image.size == size
    assert image.getpixel(red_at) == RED
    assert image.getpixel(green_at) == GREEN
    assert probe_image(data) == ImageInfo("png", *size)


def test_tiff_orientation_is_applied_once() -> None:
    # Pillow turns TIFFs itself while loading and reports their size already turned.
    data = _save(_marked((5, 3)), "TIFF", tiffinfo={0x0112: 6})
    image = decode_image(data)
    assert image.size == (3, 5)
    assert image.getpixel((2, 0)) == RED
    assert image.getpixel((2, 1)) == GREEN
    assert probe_image(data) == ImageInfo("tiff", 3, 5)


def test_one_pixel_image(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "one-pixel.png"))
    assert (image.mode, image.size, image.getpixel((0, 0))) == (
        "RGB",
        (1, 1),
        (10, 20, 30),
    )


def test_sixteen_bit_gray_png_is_scaled_not_clipped(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "sixteen-bit-gray.png"))
    assert (image.mode, image.size) == ("RGB", (4, 1))
    # value / 257, rounded: 1000 -> 4, 32896 -> 128, 65535 -> 255
    assert [image.getpixel((x, 0)) for x in range(4)] == [
        (0, 0, 0),
        (4, 4, 4),
        (128, 128, 128),
        (255, 255, 255),
    ]


def test_sixteen_bit_rgb_png(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "sixteen-bit-rgb.png"))
    assert (image.mode, image.size) == ("RGB", (2, 1))
    assert image.getpixel((0, 0)) == (255, 128, 0)
    assert image.getpixel((1, 0)) == (0, 0, 255)


def test_animated_gif_gives_its_first_frame(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "animated.gif"))
    assert (image.mode, image.size) == ("RGB", (10, 10))
    assert image.getcolors() == [(100, RED)]


def test_palette_with_transparency_keeps_alpha(nasty_dir: Path) -> None:
    image = decode_image(_read(nasty_dir, "palette-transparent.png"))
    assert (image.mode, image.size) == ("RGBA", (4, 2))
    assert image.getpixel((0, 0)) == (255, 0, 0, 0)
    assert image.getpixel((3, 1)) == (0, 255, 0, 255)


def test_palette_without_transparency_becomes_rgb() -> None:
    image = Image.new("P", (2, 1), 1)
    image.putpalette([*RED, *GREEN])
    decoded = decode_image(_save(image, "PNG"))
    assert (decoded.mode, decoded.getpixel((1, 0))) == ("RGB", GREEN)


@pytest.mark.parametrize(
    ("mode", "value", "expected_mode", "expected"),
    [
        ("L", 77, "RGB", (77, 77, 77)),
        ("LA", (77, 100), "RGBA", (77, 77, 77, 100)),
        ("1", 1, "RGB", (255, 255, 255)),
        ("RGBA", (1, 2, 3, 4), "RGBA", (1, 2, 3, 4)),
        ("RGB", (1, 2, 3), "RGB", (1, 2, 3)),
    ],
)
def test_png_modes_are_normalized(mode: str, value: object, expected_mode: str, expected: tuple[int, ...]) -> None:
    image = decode_image(_save(Image.new(mode, (2, 2), value), "PNG"))  # type: ignore[arg-type]
    assert (image.mode, image.getpixel((1, 1))) == (expected_mode, expected)


def test_gray_png_with_transparent_value_gets_alpha() -> None:
    image = Image.new("L", (2, 1), 0)
    image.putpixel((1, 0), 200)
    decoded = decode_image(_save(image, "PNG", transparency=0))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0)) == (0, 0, 0, 0)
    assert decoded.getpixel((1, 0)) == (200, 200, 200, 255)


def test_lossless_webp_with_alpha() -> None:
    data = _save(Image.new("RGBA", (3, 3), (9, 8, 7, 6)), "WEBP", lossless=True)
    image = decode_image(data)
    assert (image.mode, image.getpixel((2, 2))) == ("RGBA", (9, 8, 7, 6))
    assert probe_image(data) == ImageInfo("webp", 3, 3)


@pytest.mark.skipif(not features.check("avif"), reason="Pillow built without libavif")
def test_avif_decodes_where_pillow_can() -> None:
    image = decode_image(_save(Image.new("RGB", (16, 8), (200, 100, 50)), "AVIF", quality=100))
    assert (image.mode, image.size) == ("RGB", (16, 8))
    assert _distance(image.getpixel((8, 4)), (200, 100, 50)) <= 4


def test_zero_byte_file(nasty_dir: Path) -> None:
    assert _error(_read(nasty_dir, "zero-bytes.png")) == "the file is empty (0 bytes)"


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("notes.png", "(text file)"),
        ("drawing.svg.png", "(SVG drawing; vector images are not accepted)"),
        ("document.pdf.jpg", "(PDF document)"),
        ("bitmap.bmp.png", "(BMP image)"),
        ("photo.heic.jpg", "(HEIC photo, which this installation cannot decode)"),
    ],
)
def test_files_that_are_not_accepted_images_say_what_they_are(nasty_dir: Path, name: str, what: str) -> None:
    message = _error(_read(nasty_dir, name))
    assert message.startswith(f"the file is not an image we can read {what}; send JPEG, PNG")


def test_accepted_formats_follow_the_allowlist() -> None:
    formats = accepted_formats()
    assert formats[:5] == ("JPEG", "PNG", "WEBP", "GIF", "TIFF")
    assert "BMP" not in formats
    assert ("AVIF" in formats) == bool(features.check("avif"))


@pytest.mark.parametrize(
    ("pixels", "text"),
    [(144_000_000, "144"), (50_000_000, "50"), (24_500_000, "24.5"), (300_000, "0.3")],
)
def test_megapixels_in_messages(pixels: int, text: str) -> None:
    assert format_megapixels(pixels) == text


@settings(
    max_examples=300,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fmt=st.sampled_from(["PNG", "JPEG", "GIF", "WEBP", "TIFF"]),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 255)), max_size=4),
)
def test_damaged_files_never_crash(fmt: str, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_save(_photo((32, 24)), fmt))
    for position, mask in flips:
        data[position % len(data)] ^= mask
    damaged = bytes(data[: max(0, len(data) - cut)])
    try:
        image = decode_image(damaged)
    except ImageInputError:
        return
    assert image.mode in ("RGB", "RGBA")
    assert image.width * image.height <= DEFAULT_MAX_PIXELS
