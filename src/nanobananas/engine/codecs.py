"""Encoding images to output files: format from the path, quality, size targets, metadata."""

from __future__ import annotations

import io
import os

from PIL import Image, features

from nanobananas.engine.errors import ImageInputError, OperationError

__all__ = [
    "DEFAULT_QUALITY",
    "MIN_SEARCH_QUALITY",
    "encode_image",
    "format_for_path",
    "supported_formats",
]

_EXTENSIONS = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".webp": "webp",
    ".avif": "avif",
    ".gif": "gif",
    ".tif": "tiff",
    ".tiff": "tiff",
}

_PILLOW_NAMES = {
    "png": "PNG",
    "jpeg": "JPEG",
    "webp": "WEBP",
    "avif": "AVIF",
    "gif": "GIF",
    "tiff": "TIFF",
}

_LOSSY = ("jpeg", "webp", "avif")

# Defaults chosen for visually clean output; the size search never goes below the floor,
# it downscales instead, because very low qualities look worse than fewer pixels.
DEFAULT_QUALITY = {"jpeg": 90, "webp": 90, "avif": 75}
MIN_SEARCH_QUALITY = 40

# Kept even when stripping: colour profile and resolution change how the pixels are
# shown or printed (a passport photo at 300 dpi), and identify no one.
_KEPT_INFO = ("icc_profile", "dpi")
_METADATA_INFO = ("exif", "xmp", "comment")

_DOWNSCALE_STEP = 0.85


def supported_formats() -> tuple[str, ...]:
    """Output formats this installation can write (AVIF only with libavif in Pillow)."""
    return tuple(name for name in _PILLOW_NAMES if name != "avif" or _avif_available())


def format_for_path(path: str) -> str:
    """The output format implied by a file name's extension, e.g. 'out.JPG' -> 'jpeg'."""
    extension = os.path.splitext(path)[1].lower()
    supported = ", ".join(sorted(_EXTENSIONS))
    if not extension:
        raise ImageInputError(f"the output path {path!r} has no extension; use one of {supported}")
    fmt = _EXTENSIONS.get(extension)
    if fmt is None:
        raise ImageInputError(f"cannot write {extension!r} files; use one of {supported}")
    return fmt


def encode_image(
    image: Image.Image,
    *,
    format: str,
    quality: int | None = None,
    max_bytes: int | None = None,
    strip_metadata: bool = True,
) -> bytes:
    """Encode an image; with max_bytes, lower quality then size until the file fits."""
    fmt = _check_format(format)
    if quality is not None and not 1 <= quality <= 100:
        raise OperationError(f"quality must be between 1 and 100, not {quality}")
    if max_bytes is not None and max_bytes < 1:
        raise OperationError(f"a size limit must be a positive number of bytes, not {max_bytes}")
    prepared = _prepare_mode(image, fmt)
    params = _save_params(image, fmt, strip_metadata)
    start_quality = quality if quality is not None else DEFAULT_QUALITY.get(fmt)
    first = _encode(prepared, fmt, start_quality, params)
    if max_bytes is None or len(first) <= max_bytes:
        return first
    return _encode_within(prepared, fmt, start_quality, params, max_bytes)


def _avif_available() -> bool:
    return bool(features.check("avif"))


def _check_format(name: str) -> str:
    fmt = name.lower()
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt == "tif":
        fmt = "tiff"
    if fmt not in _PILLOW_NAMES:
        raise ImageInputError(f"cannot write {name!r} images; use one of {', '.join(_PILLOW_NAMES)}")
    if fmt == "avif" and not _avif_available():
        raise ImageInputError(
            "this installation cannot write AVIF (Pillow was built without libavif); use png, jpeg or webp"
        )
    return fmt


def _prepare_mode(image: Image.Image, fmt: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    if fmt == "jpeg":
        if has_alpha:
            return _flatten_on_white(image)
        if image.mode in ("RGB", "L"):
            return image
        return image.convert("RGB")
    if fmt == "gif":
        # Pillow quantizes RGB(A) to an adaptive palette on save, keeping full transparency.
        return image if image.mode in ("P", "L", "RGB", "RGBA") else image.convert("RGBA" if has_alpha else "RGB")
    if image.mode in ("RGB", "RGBA"):
        return image
    if fmt == "png" and image.mode in ("L", "LA", "P", "1"):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _flatten_on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _save_params(image: Image.Image, fmt: str, strip_metadata: bool) -> dict[str, object]:
    params: dict[str, object] = {key: image.info[key] for key in _KEPT_INFO if key in image.info}
    if not strip_metadata:
        params.update({key: image.info[key] for key in _METADATA_INFO if key in image.info})
    else:
        # Empty values, because some of Pillow's writers copy these from image.info.
        params.update(dict.fromkeys(_METADATA_INFO, b""))
    if fmt == "png":
        params["optimize"] = True
    elif fmt == "tiff":
        params["compression"] = "tiff_adobe_deflate"
    elif fmt == "jpeg":
        params["optimize"] = True
    return params


def _encode(image: Image.Image, fmt: str, quality: int | None, params: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    extra: dict[str, object] = dict(params)
    if fmt in _LOSSY and quality is not None:
        extra["quality"] = quality
    image.save(buffer, _PILLOW_NAMES[fmt], **extra)
    return buffer.getvalue()


def _encode_within(
    image: Image.Image,
    fmt: str,
    quality: int | None,
    params: dict[str, object],
    max_bytes: int,
) -> bytes:
    """First the highest quality that fits (binary search), then fewer pixels."""
    current = image
    while True:
        if fmt in _LOSSY and quality is not None:
            found, smallest = _best_quality_within(current, fmt, quality, params, max_bytes)
            if found is not None:
                return found
        else:
            encoded = _encode(current, fmt, quality, params)
            if len(encoded) <= max_bytes:
                return encoded
            smallest = len(encoded)
        if current.size == (1, 1):
            raise OperationError(
                f"cannot fit the image in {max_bytes} bytes as {fmt.upper()}; "
                f"the smallest file possible is {smallest} bytes"
            )
        current = image.resize(_smaller_size(current.size, max_bytes / smallest), Image.Resampling.LANCZOS)


def _smaller_size(size: tuple[int, int], byte_ratio: float) -> tuple[int, int]:
    """Bytes grow roughly with the pixel count, so both sides scale by the square root of
    the ratio; at least one side always shrinks, so the search ends."""
    scale = min(_DOWNSCALE_STEP, byte_ratio**0.5 * 0.95)
    width, height = size
    smaller = (max(1, round(width * scale)), max(1, round(height * scale)))
    if smaller == size:
        smaller = (max(1, width - 1), max(1, height - 1))
    return smaller


def _best_quality_within(
    image: Image.Image,
    fmt: str,
    top_quality: int,
    params: dict[str, object],
    max_bytes: int,
) -> tuple[bytes | None, int]:
    """The encoding at the highest quality that fits, if any, and the smallest size seen."""
    low, high = min(MIN_SEARCH_QUALITY, top_quality), top_quality
    best: bytes | None = None
    sizes: list[int] = []
    while low <= high:
        middle = (low + high) // 2
        encoded = _encode(image, fmt, middle, params)
        sizes.append(len(encoded))
        if len(encoded) <= max_bytes:
            best = encoded
            low = middle + 1
        else:
            high = middle - 1
    return best, min(sizes)
