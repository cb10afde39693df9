"""Bounded-memory handling of big untrusted images: re-encoding uploads and converting formats through libvips."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from nanobananas.engine.codecs import encode_image
from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.safety import DEFAULT_MAX_PIXELS, decode_image, probe_image

if TYPE_CHECKING:
    import pyvips

__all__ = [
    "PREVIEW_SIDE",
    "STREAM_PIXELS",
    "CleanUpload",
    "heavy_slot",
    "image_convert",
    "image_load_within",
    "release_memory",
    "upload_clean",
]

# Above this many pixels an image is never decoded whole by Pillow: libvips streams it row by row
# (a 49 MP picture costs a few MB instead of 150-400 MB per copy). Below it, Pillow's guarded
# decoder gives the exact colour handling and messages for phone-sized pictures at little cost.
STREAM_PIXELS = 4_000_000

# Longest side of the upright copy that content review reads: its perceptual hashes work on
# 32x32 reductions, so a bigger copy would only cost memory.
PREVIEW_SIDE = 1024

# Image work above STREAM_PIXELS in one process runs one at a time: a turned (EXIF-rotated)
# picture needs its whole decode in memory, and several at once would add up.
_HEAVY = threading.BoundedSemaphore(1)

_LOSSLESS_SOURCES = {"png", "gif", "tiff"}
_SUFFIXES = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}


@dataclass(frozen=True, slots=True)
class CleanUpload:
    """An upload re-encoded from its pixels only (no metadata), its upright size and a small copy for review."""

    data: bytes
    format: str
    width: int
    height: int
    preview: Image.Image


@contextmanager
def heavy_slot(pixels: int) -> Iterator[None]:
    """Hold the process's one slot for image work above STREAM_PIXELS (smaller work runs at once)."""
    if pixels <= STREAM_PIXELS:
        yield
        return
    with _HEAVY:
        try:
            yield
        finally:
            release_memory()


def upload_clean(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanUpload:
    """Check untrusted bytes from their header, then re-encode the pixels upright as PNG (lossless
    sources and transparency) or JPEG q95; big images stream through libvips, never decoded whole."""
    info = probe_image(data, max_pixels=max_pixels)
    pixels = info.width * info.height
    with heavy_slot(pixels):
        if pixels <= STREAM_PIXELS:
            return _clean_with_pillow(data, info.format, max_pixels)
        return _clean_with_vips(data, info.format)


def image_load_within(data: bytes, *, longest: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode untrusted bytes upright (RGB or RGBA) with the longest side at most `longest`: a big
    picture is shrunk while libvips loads it, so its full size is never held."""
    info = probe_image(data, max_pixels=max_pixels)
    pixels = info.width * info.height
    if max(info.width, info.height) <= longest or pixels <= STREAM_PIXELS:
        image = decode_image(data, max_pixels=max_pixels)
        if max(image.size) > longest:
            image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        return image
    with heavy_slot(pixels):
        vips = _vips()
        try:
            # thumbnail's own fail_on does not reach the loader; the option string does.
            small = _srgb(
                vips.Image.thumbnail_buffer(data, longest, height=longest, size="down", option_string="fail_on=error")
            )
        except vips.Error as exc:
            raise ImageInputError(_vips_message(info.format, exc)) from exc
        return _to_pillow(small)


def image_convert(data: bytes, *, format: str, quality: int | None = None) -> bytes:
    """A stored image in another format (png, jpeg, webp), streamed through libvips whatever its size."""
    if format not in _SUFFIXES:
        raise ImageInputError(f"cannot convert to {format!r}; use one of {', '.join(_SUFFIXES)}")
    info = probe_image(data)
    with heavy_slot(info.width * info.height):
        vips = _vips()
        try:
            image = _open(vips, data, upright=False)
            return _save(image, format, quality)
        except vips.Error as exc:
            raise ImageInputError(_vips_message(info.format, exc)) from exc


def release_memory() -> None:
    """Give freed heap pages back to the system (glibc keeps them otherwise, and the process looks
    as big as its largest moment for the rest of its life)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _clean_with_pillow(data: bytes, source_format: str, max_pixels: int) -> CleanUpload:
    image = decode_image(data, max_pixels=max_pixels)
    if image.mode == "RGBA" or source_format in _LOSSLESS_SOURCES:
        encoded, fmt = encode_image(image, format="png"), "png"
    else:
        encoded, fmt = encode_image(image.convert("RGB"), format="jpeg", quality=95), "jpeg"
    preview = image.copy()
    preview.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    return CleanUpload(encoded, fmt, image.width, image.height, preview)


def _clean_with_vips(data: bytes, source_format: str) -> CleanUpload:
    vips = _vips()
    try:
        image = _open(vips, data, upright=True)
        lossless = image.bands == 4 or source_format in _LOSSLESS_SOURCES
        fmt = "png" if lossless else "jpeg"
        encoded = _save(image, fmt, None if lossless else 95)
        width, height = image.width, image.height
        preview = _preview(vips, encoded)
    except vips.Error as exc:
        raise ImageInputError(_vips_message(source_format, exc)) from exc
    return CleanUpload(encoded, fmt, width, height, preview)


def _vips() -> Any:
    import pyvips

    # libvips keeps recent operations and their pixels for reuse; a web process sees each upload
    # once, so that cache would only hold on to memory.
    pyvips.cache_set_max(0)
    return pyvips


def _open(vips: Any, data: bytes, *, upright: bool) -> pyvips.Image:
    """8-bit sRGB, streamed (sequential); a picture that must be turned is first held in memory at 8
    bits a channel (at most 4 bytes a pixel, whatever its depth: a 16-bit source would be 8), since
    turning needs random access."""
    image = _srgb(vips.Image.new_from_buffer(data, "", access="sequential", fail_on="error"))
    orientation = image.get("orientation") if image.get_typeof("orientation") else 1
    if upright and orientation not in (0, 1):
        return image.copy_memory().autorot()
    return image


def _srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB, with alpha when the source has it: CMYK through its profile, 16-bit scaled, grey widened."""
    if image.interpretation == "cmyk":
        image = image.icc_transform("srgb", embedded=True, input_profile="cmyk")
    elif image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    if image.bands > 4:
        image = image.extract_band(0, n=4)
    return image


def _save(image: pyvips.Image, format: str, quality: int | None) -> bytes:
    if format == "jpeg" and image.bands == 4:
        image = image.flatten(background=[255, 255, 255])
    # No optimized Huffman tables for JPEG: libjpeg would keep every coefficient of the picture in
    # memory for a second pass (about 700 MB for 49 MP) to save a few percent of the file.
    options: dict[str, Any] = {"keep": "none"}
    if format in ("jpeg", "webp"):
        options["Q"] = quality or 90
    return bytes(image.write_to_buffer(_SUFFIXES[format], **options))


def _preview(vips: Any, encoded: bytes) -> Image.Image:
    """The upright copy for review, shrunk while loading the clean re-encode."""
    return _to_pillow(vips.Image.thumbnail_buffer(encoded, PREVIEW_SIDE, height=PREVIEW_SIDE, size="down"))


def _to_pillow(image: pyvips.Image) -> Image.Image:
    """An 8-bit sRGB libvips image (3 or 4 bands) as a Pillow image; this is where its pixels are computed."""
    mode = "RGBA" if image.bands == 4 else "RGB"
    return Image.frombytes(mode, (image.width, image.height), image.write_to_memory())


def _vips_message(source_format: str, exc: Exception) -> str:
    label = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "gif": "GIF", "tiff": "TIFF"}.get(source_format, "image")
    if "truncated" in str(exc).lower() or "premature" in str(exc).lower():
        return f"the {label} file is truncated (incomplete) and cannot be read; try uploading it again"
    return f"the {label} file is damaged and cannot be read"
