"""A libvips fast path for big images: the common ops with shrink-on-load and streaming, else None."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nanobananas.engine.safety import DEFAULT_MAX_PIXELS, probe_image

if TYPE_CHECKING:
    import pyvips

__all__ = ["FAST_OPS", "run_plan_fast"]

# The same op names, parameters and arithmetic as engine/ops (Pillow/numpy):
#   resize     {width, height, factor, mode="fit"}   Lanczos, sizes rounded as ops.resize does
#   brightness {amount}                              v * (1 + amount)
#   contrast   {amount}                              mean + (v - mean) * (1 + amount), truncated;
#                                                    mean is the rounded average of the BT.601
#                                                    grey, as PIL.ImageEnhance.Contrast uses
#   sharpen    {amount=1.0, radius=1.0}              v + amount * (v - gaussian(v, sigma=radius))
#   rotate     {degrees} in multiples of 90          exact, positive is clockwise
#   flip       {direction="horizontal"|"vertical"}
#   grayscale  {}                                    BT.601 grey in all three channels
# Every step rounds and clips to 0..255 like the Pillow ops, and alpha passes through untouched.
FAST_OPS = ("resize", "brightness", "contrast", "sharpen", "rotate", "flip", "grayscale")

_ALLOWED_PARAMS: dict[str, frozenset[str]] = {
    "resize": frozenset({"width", "height", "factor", "mode"}),
    "brightness": frozenset({"amount"}),
    "contrast": frozenset({"amount"}),
    "sharpen": frozenset({"amount", "radius"}),
    "rotate": frozenset({"degrees", "expand", "fill"}),
    "flip": frozenset({"direction"}),
    "grayscale": frozenset(),
}

# libvips loader for each format the guarded probe accepts; anything else goes to Pillow.
_LOADERS = {
    "jpeg": "jpegload_buffer",
    "png": "pngload_buffer",
    "webp": "webpload_buffer",
    "tiff": "tiffload_buffer",
    "gif": "gifload_buffer",
}

_SAVERS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}

_BT601 = (0.299, 0.587, 0.114)

Step = tuple[str, dict[str, Any]]


def run_plan_fast(
    data: bytes,
    steps: list[Step],
    *,
    format: str,
    quality: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes | None:
    """Run the steps with libvips and encode; None when a step, format or image needs Pillow.

    Params are expected to be validated already (pipeline.validate_plan); a shape this path
    does not recognize also yields None, so the Pillow pipeline reports it. Unsafe input
    raises ImageInputError from the same guard as the Pillow path.
    """
    info = probe_image(data, max_pixels=max_pixels)
    if (
        format not in _SAVERS
        or info.format not in _LOADERS
        or not all(_supported(name, params) for name, params in steps)
    ):
        return None
    import pyvips

    try:
        # The header alone (no pixels yet) says whether libvips sees the same kind of file
        # as the guard did, and whether it is plain 8-bit; thumbnailing would hide the latter.
        header = pyvips.Image.new_from_buffer(data, "", fail_on="error")
        if header.get("vips-loader") != _LOADERS[info.format] or not _plain_8bit(header):
            return None
        image, remaining, expected_size = _load(data, steps, (info.width, info.height))
        if (image.width, image.height) != expected_size:
            return None  # libvips read the orientation differently from the guard
        image = _to_srgb(image)
        for name, params in remaining:
            image = _APPLY[name](image, params)
        return _save(image, format, quality)
    except pyvips.Error:
        # Damaged or unusual files: the Pillow path decodes them or gives the exact reason.
        return None


def _supported(name: str, params: Mapping[str, Any]) -> bool:
    allowed = _ALLOWED_PARAMS.get(name)
    if allowed is None or not set(params) <= allowed:
        return False
    if name == "resize":
        return _resize_params_supported(params)
    if name in ("brightness", "contrast"):
        return _is_number(params.get("amount"))
    if name == "sharpen":
        return all(_is_number(params.get(key, 1.0)) for key in ("amount", "radius"))
    if name == "rotate":
        degrees = params.get("degrees")
        return isinstance(degrees, int | float) and float(degrees) % 90 == 0
    if name == "flip":
        return params.get("direction", "horizontal") in ("horizontal", "vertical")
    return True


def _resize_params_supported(params: Mapping[str, Any]) -> bool:
    width, height, factor = params.get("width"), params.get("height"), params.get("factor")
    if params.get("mode", "fit") != "fit":
        return False
    if factor is not None:
        return _is_number(factor) and factor > 0 and width is None and height is None
    sides = [side for side in (width, height) if side is not None]
    return bool(sides) and all(isinstance(side, int) and side >= 1 for side in sides)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _target_size(size: tuple[int, int], params: Mapping[str, Any]) -> tuple[int, int]:
    """Same arithmetic as ops.resize.target_size for mode "fit"."""
    w, h = size
    width: int | None = params.get("width")
    height: int | None = params.get("height")
    factor: float | None = params.get("factor")
    if factor is not None:
        return max(1, round(w * factor)), max(1, round(h * factor))
    if width is not None and height is not None:
        scale = min(width / w, height / h)
        return max(1, round(w * scale)), max(1, round(h * scale))
    if width is not None:
        return width, max(1, round(h * width / w))
    if height is None:
        raise ValueError("resize needs a width, a height or a factor")
    return max(1, round(w * height / h)), height


# Steps a resize can move in front of without changing the result: turns and mirrors are
# exact with a symmetric kernel, and the BT.601 grey is linear (up to rounding).
_COMMUTE_WITH_RESIZE = frozenset({"rotate", "flip", "grayscale"})


def _load(
    data: bytes, steps: list[Step], upright_size: tuple[int, int]
) -> tuple[pyvips.Image, list[Step], tuple[int, int]]:
    """Upright image, the steps still to run, and the size the image must have by now.

    The first resize is folded into the load (shrink-on-load) when only turns, mirrors and
    grey come before it; the size it aims at is turned back into the loaded orientation."""
    import pyvips

    size = upright_size
    quarter_turns = 0
    for index, (name, params) in enumerate(steps):
        if name == "resize":
            width, height = _target_size(size, params)
            if quarter_turns % 2:
                width, height = height, width
            # "force" makes the size exact (it is already aspect-correct to the pixel).
            # thumbnail's own fail_on does not reach the loader; the option string does.
            image = pyvips.Image.thumbnail_buffer(
                data, width, height=height, size="force", option_string="fail_on=error"
            )
            return image, steps[:index] + steps[index + 1 :], (width, height)
        if name not in _COMMUTE_WITH_RESIZE:
            break
        if name == "rotate" and int(float(params["degrees"]) % 180) == 90:
            quarter_turns += 1
            size = (size[1], size[0])
    image = pyvips.Image.new_from_buffer(data, "", fail_on="error").autorot()
    return image, steps, upright_size


def _plain_8bit(image: pyvips.Image) -> bool:
    # CMYK, 16-bit and other encodings are normalized by the Pillow decoder; leave them to it.
    return bool(image.format == "uchar" and image.interpretation in ("srgb", "b-w"))


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    if image.interpretation == "b-w":
        return image.colourspace("srgb")
    return image


def _on_colour(
    image: pyvips.Image,
    transform: Callable[[pyvips.Image], pyvips.Image],
    *,
    truncate: bool = False,
) -> pyvips.Image:
    """Apply to the three colour bands, round (or truncate) and clip to 8 bits, keep alpha."""
    colour = image.extract_band(0, n=3) if image.bands > 3 else image
    changed = transform(colour)
    result = (changed.floor() if truncate else changed.rint()).cast("uchar")
    if image.bands > 3:
        return result.bandjoin(image.extract_band(3))
    return result


def _resize(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    width, height = _target_size((image.width, image.height), params)
    if (width, height) == (image.width, image.height):
        return image
    return image.resize(width / image.width, vscale=height / image.height, kernel="lanczos3")


def _brightness(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    factor = 1 + float(params["amount"])
    return _on_colour(image, lambda rgb: rgb.linear([factor] * 3, [0.0] * 3))


def _grey(rgb: pyvips.Image) -> pyvips.Image:
    return rgb.recomb([list(_BT601)])


def _contrast(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    factor = 1 + float(params["amount"])
    # The mean needs a full pass, so the image so far is computed once into memory; after a
    # leading resize that is the small image.
    image = image.copy_memory()
    # The grey is linear in the bands, so its mean is the same mix of the band means.
    statistics = image.stats()
    mean = int(sum(weight * statistics(4, band + 1)[0] for band, weight in enumerate(_BT601)) + 0.5)
    offset = mean * (1 - factor)
    # PIL blends towards the mean grey and truncates; so does this.
    return _on_colour(image, lambda rgb: rgb.linear([factor] * 3, [offset] * 3), truncate=True)


def _sharpen(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    amount = float(params.get("amount", 1.0))
    sigma = float(params.get("radius", 1.0))

    def unsharp(rgb: pyvips.Image) -> pyvips.Image:
        # Integer precision blurs to 8 bits, as Pillow does, and is over twice as fast as float.
        blurred = rgb.gaussblur(sigma, precision="integer")
        return rgb + (rgb - blurred) * amount

    return _on_colour(image, unsharp)


def _rotate(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    turn = int(float(params["degrees"]) % 360)
    if turn == 0:
        return image
    return image.rot(f"d{turn}")


def _flip(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    return image.flip(params.get("direction", "horizontal"))


def _grayscale(image: pyvips.Image, params: Mapping[str, Any]) -> pyvips.Image:
    def grey_in_three_bands(rgb: pyvips.Image) -> pyvips.Image:
        grey = _grey(rgb).rint().cast("uchar")
        return grey.bandjoin([grey, grey])

    return _on_colour(image, grey_in_three_bands)


_APPLY: dict[str, Callable[[pyvips.Image, Mapping[str, Any]], pyvips.Image]] = {
    "resize": _resize,
    "brightness": _brightness,
    "contrast": _contrast,
    "sharpen": _sharpen,
    "rotate": _rotate,
    "flip": _flip,
    "grayscale": _grayscale,
}


def _save(image: pyvips.Image, format: str, quality: int) -> bytes:
    if format == "jpeg" and image.bands > 3:
        image = image.flatten(background=[255, 255, 255])
    options: dict[str, Any] = {"keep": "icc"}
    if format in ("jpeg", "webp"):
        options["Q"] = quality
    if format == "jpeg":
        options["optimize_coding"] = True
    return bytes(image.write_to_buffer(_SAVERS[format], **options))
