"""Tests for output encoding: formats from paths, round trips, size targets and metadata."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, features

from nanobananas.engine.codecs import (
    DEFAULT_QUALITY,
    encode_image,
    format_for_path,
    supported_formats,
)
from nanobananas.engine.errors import ImageInputError, OperationError
from nanobananas.engine.safety import decode_image

HAS_AVIF = bool(features.check("avif"))


def _photo(width: int = 640, height: int = 480, seed: int = 7) -> Image.Image:
    """Gradients plus noise: compresses like a photograph, not like a flat colour."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([x / width * 255, y / height * 255, (x + y) / (width + height) * 255], axis=-1)
    noisy = base + rng.normal(0, 18, size=base.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _with_metadata(image: Image.Image) -> Image.Image:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    tagged = image.copy()
    tagged.info["exif"] = exif.tobytes()
    tagged.info["xmp"] = b"<x:xmpmeta>private-xmp</x:xmpmeta>"
    tagged.info["comment"] = b"private-comment"
    return tagged


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("out.png", "png"),
        ("out.jpg", "jpeg"),
        ("out.jpeg", "jpeg"),
        ("OUT.JPG", "jpeg"),
        ("dir.v2/out.webp", "webp"),
        ("out.avif", "avif"),
        ("out.gif", "gif"),
        ("out.tif", "tiff"),
        ("out.tiff", "tiff"),
    ],
)
def test_format_for_path(path: str, expected: str) -> None:
    assert format_for_path(path) == expected


def test_unknown_extension_names_it_and_the_supported_ones() -> None:
    with pytest.raises(ImageInputError) as caught:
        format_for_path("poster.bmp")
    assert str(caught.value) == (
        "cannot write '.bmp' files; use one of .avif, .gif, .jpeg, .jpg, .png, .tif, .tiff, .webp"
    )


def test_missing_extension_is_refused() -> None:
    with pytest.raises(ImageInputError, match="has no extension"):
        format_for_path("dir.v2/poster")


def test_supported_formats_list_avif_only_when_pillow_can() -> None:
    assert supported_formats()[:2] == ("png", "jpeg")
    assert ("avif" in supported_formats()) == HAS_AVIF


@pytest.mark.parametrize(
    ("fmt", "mode", "expected_mode"),
    [
        ("png", "RGB", "RGB"),
        ("png", "RGBA", "RGBA"),
        ("png", "L", "L"),
        ("jpeg", "RGB", "RGB"),
        ("jpeg", "RGBA", "RGB"),
        ("jpeg", "L", "L"),
        ("webp", "RGB", "RGB"),
        ("webp", "RGBA", "RGBA"),
        ("gif", "RGB", "P"),
        ("tiff", "RGB", "RGB"),
        ("tiff", "RGBA", "RGBA"),
        pytest.param("avif", "RGB", "RGB", marks=pytest.mark.skipif(not HAS_AVIF, reason="no libavif")),
    ],
)
def test_round_trip_keeps_size_and_mode(fmt: str, mode: str, expected_mode: str) -> None:
    source = _photo(97, 61).convert(mode)
    if mode == "RGBA":
        source.putalpha(Image.linear_gradient("L").resize(source.size))
    decoded = _open(encode_image(source, format=fmt))
    assert decoded.format == fmt.upper()
    assert (decoded.size, decoded.mode) == ((97, 61), expected_mode)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_lossless_formats_keep_pixels_exactly(fmt: str) -> None:
    source = _photo(50, 40)
    decoded = _open(encode_image(source, format=fmt))
    assert np.array_equal(np.asarray(decoded), np.asarray(source))


def test_jpeg_of_rgba_puts_white_where_alpha_was_zero() -> None:
    source = Image.new("RGBA", (32, 16), (200, 0, 0, 255))
    source.paste((0, 0, 255, 0), (16, 0, 32, 16))
    decoded = _open(encode_image(source, format="jpeg", quality=100))
    assert decoded.mode == "RGB"
    pixels = np.asarray(decoded).astype(int)
    assert np.abs(pixels[:, 20:] - 255).max() <= 2
    assert np.abs(pixels[:, :12] - [200, 0, 0]).max() <= 3


def test_jpeg_of_palette_image_honours_its_transparent_index() -> None:
    source = Image.new("P", (8, 8), 0)
    source.putpalette([0, 0, 0])
    decoded = _open(encode_image(source, format="jpeg", quality=100))
    assert np.asarray(decoded).max() <= 2
    source.info["transparency"] = 0
    decoded = _open(encode_image(source, format="jpeg", quality=100))
    assert np.asarray(decoded).min() >= 253


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "png", "gif", "tiff", "avif"])
def test_metadata_is_stripped_by_default(fmt: str) -> None:
    if fmt == "avif" and not HAS_AVIF:
        pytest.skip("no libavif")
    data = encode_image(_with_metadata(_photo(64, 48)), format=fmt)
    assert b"CameraMaker" not in data
    assert b"private-xmp" not in data
    assert b"private-comment" not in data
    decoded = _open(data)
    assert "exif" not in decoded.info
    assert dict(decoded.getexif().get_ifd(0x8825)) == {}
    assert decoded.getexif().get(0x010F) is None


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "png"])
def test_metadata_is_kept_when_asked(fmt: str) -> None:
    data = encode_image(_with_metadata(_photo(64, 48)), format=fmt, strip_metadata=False)
    assert _open(data).getexif().get(0x010F) == "CameraMaker"


def test_colour_profile_and_dpi_survive_stripping() -> None:
    source = _photo(32, 32)
    source.info["icc_profile"] = b"\x00" * 8 + b"profile-bytes"
    source.info["dpi"] = (300, 300)
    decoded = _open(encode_image(source, format="jpeg"))
    assert decoded.info["icc_profile"] == source.info["icc_profile"]
    assert decoded.info["dpi"] == (300, 300)


def test_quality_is_used_for_jpeg() -> None:
    source = _photo()
    low = encode_image(source, format="jpeg", quality=30)
    high = encode_image(source, format="jpeg", quality=95)
    assert len(low) < len(high)
    assert encode_image(source, format="jpeg") == encode_image(source, format="jpeg", quality=DEFAULT_QUALITY["jpeg"])


def test_a_small_jpeg_under_30_kb_really_is() -> None:
    source = _photo(1600, 1200)
    data = encode_image(source, format="jpeg", max_bytes=30_000)
    assert len(data) <= 30_000
    decoded = _open(data)
    assert decoded.format == "JPEG"
    # Noise this heavy cannot fit 2 MP in 30 KB even at the quality floor: it had to shrink,
    # keeping the aspect ratio.
    assert decoded.width < 1600
    assert abs(decoded.width / decoded.height - 4 / 3) < 0.01


def test_size_target_keeps_full_size_when_quality_alone_is_enough() -> None:
    source = _photo()
    full = len(encode_image(source, format="jpeg", quality=90))
    data = encode_image(source, format="jpeg", max_bytes=full * 2 // 3)
    assert len(data) <= full * 2 // 3
    assert _open(data).size == source.size


def test_size_target_picks_the_highest_quality_that_fits() -> None:
    source = _photo()
    target = len(encode_image(source, format="jpeg", quality=60))
    data = encode_image(source, format="jpeg", max_bytes=target)
    assert data == encode_image(source, format="jpeg", quality=60)


def test_size_target_already_met_changes_nothing() -> None:
    source = _photo(64, 48)
    plain = encode_image(source, format="jpeg", quality=85)
    assert encode_image(source, format="jpeg", quality=85, max_bytes=10**9) == plain


@pytest.mark.parametrize(
    ("fmt", "max_bytes"),
    [("webp", 20_000), ("png", 60_000), ("avif", 15_000)],
)
def test_size_target_for_other_formats(fmt: str, max_bytes: int) -> None:
    if fmt == "avif" and not HAS_AVIF:
        pytest.skip("no libavif")
    data = encode_image(_photo(800, 600), format=fmt, max_bytes=max_bytes)
    assert len(data) <= max_bytes
    assert _open(data).format == fmt.upper()


def test_impossible_size_target_says_so() -> None:
    with pytest.raises(OperationError) as caught:
        encode_image(_photo(64, 48), format="jpeg", max_bytes=50)
    # a 1x1 JPEG still needs its headers and tables: a few hundred bytes
    match = re.fullmatch(
        r"cannot fit the image in 50 bytes as JPEG; the smallest file possible is (\d+) bytes", str(caught.value)
    )
    assert match is not None
    assert 200 < int(match.group(1)) < 400


@pytest.mark.parametrize("size", [(2, 2), (3, 3), (1, 7), (7, 1)])
@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "gif"])
def test_size_search_on_tiny_images_ends(size: tuple[int, int], fmt: str) -> None:
    with pytest.raises(OperationError, match="cannot fit the image in 20 bytes"):
        encode_image(Image.new("RGB", size, (1, 2, 3)), format=fmt, max_bytes=20)


@pytest.mark.parametrize("quality", [0, 101])
def test_quality_out_of_range(quality: int) -> None:
    with pytest.raises(OperationError, match="quality must be between 1 and 100"):
        encode_image(_photo(8, 8), format="jpeg", quality=quality)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ImageInputError, match="cannot write 'bmp' images"):
        encode_image(_photo(8, 8), format="bmp")


def test_format_aliases() -> None:
    assert _open(encode_image(_photo(8, 8), format="JPG")).format == "JPEG"
    assert _open(encode_image(_photo(8, 8), format="tif")).format == "TIFF"


def test_encoding_does_not_change_the_callers_image() -> None:
    source = _with_metadata(_photo(32, 32).convert("RGBA"))
    before = (source.mode, dict(source.info), source.tobytes())
    encode_image(source, format="jpeg", max_bytes=2_000)
    assert (source.mode, dict(source.info), source.tobytes()) == before


@settings(max_examples=40, deadline=None, database=None)
@given(
    width=st.integers(1, 120),
    height=st.integers(1, 120),
    alpha=st.booleans(),
    fmt=st.sampled_from(["png", "jpeg", "webp", "gif", "tiff"]),
    seed=st.integers(0, 2**16),
)
def test_any_encoded_image_decodes_through_the_guard(width: int, height: int, alpha: bool, fmt: str, seed: int) -> None:
    source = _photo(width, height, seed=seed)
    if alpha:
        # GIF transparency is all or nothing, so the first column is clear and the rest opaque
        mask = Image.new("L", source.size, 255)
        mask.paste(0, (0, 0, 1, height))
        source.putalpha(mask)
    decoded = decode_image(encode_image(source, format=fmt))
    assert decoded.size == (width, height)
    assert decoded.mode == ("RGBA" if alpha and fmt in ("png", "webp", "tiff", "gif") else "RGB")


@settings(max_examples=25, deadline=None, database=None)
@given(max_bytes=st.integers(400, 60_000), fmt=st.sampled_from(["jpeg", "webp", "png"]))
def test_size_targets_are_always_met(max_bytes: int, fmt: str) -> None:
    # 400 bytes is above the smallest possible file of each format (a 1x1 JPEG is about 300)
    data = encode_image(_photo(300, 200), format=fmt, max_bytes=max_bytes)
    assert len(data) <= max_bytes
    assert decode_image(data).width >= 1
