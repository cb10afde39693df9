"""The one guarded decoder for untrusted image bytes: format allowlist, pixel limit, orientation, modes."""

from __future__ import annotations

import contextlib
import io
import struct
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFile, ImageOps

from nanobananas.engine.errors import ImageInputError

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ImageInfo",
    "accepted_formats",
    "decode_image",
    "format_megapixels",
    "probe_image",
]

DEFAULT_MAX_PIXELS = 50_000_000

# Pillow plugin names in the order they are tried; HEIF only exists when a plugin such as
# pillow-heif has registered itself, AVIF only when Pillow was built with libavif.
_ALLOWLIST = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "AVIF", "HEIF")

# Pillow's format name -> the product's lowercase name (MPO is a multi-picture JPEG from cameras).
_PRODUCT_NAMES = {
    "JPEG": "jpeg",
    "MPO": "jpeg",
    "PNG": "png",
    "WEBP": "webp",
    "GIF": "gif",
    "TIFF": "tiff",
    "AVIF": "avif",
    "HEIF": "heic",
}

_DISPLAY_NAMES = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "TIFF": "TIFF",
    "AVIF": "AVIF",
    "HEIF": "HEIC",
}

# What Pillow raises while parsing a malformed EXIF block.
_EXIF_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    struct.error,
)

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")

_BINARY_SIGNATURES = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"\x7fELF", "program file"),
    (b"MZ", "program file"),
    (b"8BPS", "Photoshop document"),
    (b"\x00\x00\x01\x00", "Windows icon"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"),
    (b"BM", "BMP image"),
    (b"ID3", "audio file"),
    (b"OggS", "audio or video file"),
    (b"RIFF", "RIFF media file"),
    (b"\x1aE\xdf\xa3", "video file"),
)


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: the product's format name and the size as displayed (after EXIF orientation)."""

    format: str
    width: int
    height: int


def accepted_formats() -> tuple[str, ...]:
    """Pillow format names this installation can decode out of the allowlist, in the order tried."""
    Image.init()
    return tuple(name for name in _ALLOWLIST if name in Image.OPEN)


def format_megapixels(pixels: int) -> str:
    """A pixel count as a short megapixel figure for messages: 144, 50, 24.5, 0.3."""
    megapixels = pixels / 1_000_000
    if megapixels >= 100:
        return f"{megapixels:.0f}"
    return f"{megapixels:.3g}"


def probe_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Read only the header and apply the same guards as decode_image (allowlist, pixel limit)."""
    image = _open_header(data, max_pixels)
    if image.format == "PNG" and "exif" not in image.info:
        # Pillow's PNG reader decodes every pixel to look for an eXIf chunk after the image data;
        # walking the chunk headers finds it without decoding (a 49 MP PNG: 2 ms instead of 1 s and 150 MB).
        image.info["exif"] = _png_exif(data)
    width, height = image.size
    if _orientation(image) in (5, 6, 7, 8) and not _reported_upright(image):
        width, height = height, width
    return ImageInfo(format=_product_name(image), width=width, height=height)


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode untrusted bytes into an upright RGB or RGBA image, or raise ImageInputError saying why not."""
    image = _open_header(data, max_pixels)
    try:
        image.load()
    except Exception as exc:  # Pillow's decoders report malformed data as many unrelated exception types
        raise ImageInputError(_damaged_message(_label(image), exc)) from exc
    # A GIF frame may extend the canvas beyond the size in the header while it loads.
    _check_pixels(image.size, max_pixels)
    # Broken EXIF is optional metadata: the pixels are still good, so keep them as stored.
    with contextlib.suppress(*_EXIF_ERRORS):
        ImageOps.exif_transpose(image, in_place=True)
    return _normalize_mode(image)


def _open_header(data: bytes, max_pixels: int) -> ImageFile.ImageFile:
    if not data:
        raise ImageInputError("the file is empty (0 bytes)")
    prefix = data[:16]
    for name in accepted_formats():
        factory, accept = Image.OPEN[name]
        # Pillow's accept hooks return a truth value, or a string explaining a near miss.
        verdict = True if accept is None else accept(prefix)
        if isinstance(verdict, str) or not verdict:
            continue
        try:
            # Calling the plugin directly reads the header without Image.open's global
            # MAX_IMAGE_PIXELS check, so the limit here is the caller's, per call.
            image = factory(io.BytesIO(data), "")
        except Exception as exc:  # same zoo of exception types as in decode_image
            raise ImageInputError(_damaged_message(_DISPLAY_NAMES[name], exc)) from exc
        if image.width < 1 or image.height < 1:
            raise ImageInputError(f"the {_DISPLAY_NAMES[name]} file declares an empty image")
        _check_pixels(image.size, max_pixels)
        return image
    raise ImageInputError(f"the file is not an image we can read ({_describe(data)}); send {_accepted_phrase()}")


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    pixels = width * height
    if pixels > max_pixels:
        raise ImageInputError(
            f"the image is {width}x{height} ({format_megapixels(pixels)} MP), "
            f"above the {format_megapixels(max_pixels)} MP limit"
        )


def _png_exif(data: bytes) -> bytes:
    """The PNG's eXIf chunk, or b"" when it has none: chunk headers only, the pixel data is skipped."""
    offset = 8  # after the signature
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"eXIf":
            return data[offset + 8 : offset + 8 + length]
        if kind == b"IEND":
            break
        offset += 12 + length  # length, type, data, CRC
    return b""


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except _EXIF_ERRORS:
        return 1  # broken EXIF means no usable orientation, not a broken image
    return value if isinstance(value, int) else 1


def _reported_upright(image: Image.Image) -> bool:
    """Whether the plugin already reports the turned size: Pillow's TIFF reader does (and turns
    TIFFs while loading), so its size differs from the stored width and length tags."""
    tags = getattr(image, "tag_v2", None)
    if tags is None:
        return False
    return (tags.get(256), tags.get(257)) != image.size


def _product_name(image: Image.Image) -> str:
    return _PRODUCT_NAMES.get(image.format or "", (image.format or "unknown").lower())


def _label(image: Image.Image) -> str:
    name = "JPEG" if image.format == "MPO" else image.format or ""
    return _DISPLAY_NAMES.get(name, name or "image")


def _damaged_message(label: str, exc: Exception) -> str:
    if "truncated" in str(exc).lower():
        return f"the {label} file is truncated (incomplete) and cannot be read; try uploading it again"
    return f"the {label} file is damaged and cannot be read"


def _accepted_phrase() -> str:
    names = [_DISPLAY_NAMES[name] for name in accepted_formats()]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _describe(data: bytes) -> str:
    """Name what an unreadable upload most likely is, for the error message."""
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIC photo, which this installation cannot decode"
        if brand in (b"avif", b"avis"):
            return "AVIF image, which this installation cannot decode"
        return "video or other media file"
    text = _as_text(data[:4096])
    if text is not None:
        head = text.lstrip().lower()
        if head.startswith("<svg") or (head.startswith("<?xml") and "<svg" in head):
            return "SVG drawing; vector images are not accepted"
        if head.startswith(("<!doctype html", "<html")):
            return "web page"
        return "text file"
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return description
    return "unrecognized data"


def _as_text(sample: bytes) -> str | None:
    if b"\x00" in sample:
        return None
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may cut a multi-byte character in half at its end.
        if exc.start >= len(sample) - 3:
            return sample[: exc.start].decode("utf-8")
        return None


def _normalize_mode(image: Image.Image) -> Image.Image:
    """Bring every decoded mode to RGB, or RGBA when the image carries transparency."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "RGBa"):
        return image if mode != "RGBa" else image.convert("RGBA")
    if mode == "P":
        # The palette is RGB, so an embedded RGB colour profile still fits.
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode == "CMYK":
        return _cmyk_to_rgb(image)
    if mode == "F":
        raise ImageInputError("floating-point images are not supported; send an 8- or 16-bit image")
    if mode.startswith("I;16") or mode == "I":
        converted = _sixteen_bit_to_rgb(image)
    elif mode in ("PA", "LA", "La") or (mode == "L" and "transparency" in image.info):
        converted = image.convert("RGBA")
    else:
        try:
            converted = image.convert("RGB")
        except ValueError as exc:
            raise ImageInputError(f"images in the {mode} colour mode are not supported") from exc
    return _without_profile(converted, image.info)


def _without_profile(image: Image.Image, info: dict[str | tuple[int, int], Any]) -> Image.Image:
    """Keep the source's metadata but not its colour profile, which describes other channels
    (a grey or CMYK profile on RGB pixels would make viewers show wrong colours)."""
    image.info = {key: value for key, value in info.items() if key != "icc_profile"}
    return image


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    """Through the embedded CMYK profile to sRGB when there is one, else Pillow's formula."""
    from PIL import ImageCms  # only CMYK files need littlecms

    profile = image.info.get("icc_profile")
    if isinstance(profile, bytes) and profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken or non-CMYK profile: fall back to the plain formula
        if converted is not None:
            return _without_profile(converted, image.info)
    return _without_profile(image.convert("RGB"), image.info)


def _sixteen_bit_to_rgb(image: Image.Image) -> Image.Image:
    # Pillow's own conversion clips 16-bit values at 255 instead of scaling them;
    # 32-bit integer images ('I') come from 16-bit PNG/TIFF data and get the same scale.
    # numpy is imported here because only these rare images need it: every upload and the
    # fast path's process go through this module.
    import numpy as np

    values = np.asarray(image).astype(np.float32)
    scaled = np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled).convert("RGB")
