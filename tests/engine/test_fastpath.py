"""Tests for the libvips fast path: same sizes and tones as the Pillow ops, None when it cannot."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.fastpath import FAST_OPS, run_plan_fast

Steps = list[tuple[str, dict[str, Any]]]

_TURNS = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def _photo(width: int = 600, height: int = 400, seed: int = 3) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([x / width * 255, y / height * 255, 128 + 0 * x], axis=-1)
    noisy = base + rng.normal(0, 10, size=base.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _open(data: bytes | None) -> Image.Image:
    assert data is not None
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _pixels(image: Image.Image) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.asarray(image).astype(np.int64)


def _pillow(image: Image.Image, steps: Steps) -> Image.Image:
    """The reference: what the Pillow ops do, written with plain Pillow."""
    for name, params in steps:
        if name == "brightness":
            factor = 1 + params["amount"]
            table = [min(255, max(0, round(v * factor))) for v in range(256)]
            image = image.point(table * 3)
        elif name == "contrast":
            image = ImageEnhance.Contrast(image).enhance(1 + params["amount"])
        elif name == "sharpen":
            percent = round(params.get("amount", 1.0) * 100)
            radius = params.get("radius", 1.0)
            image = image.filter(ImageFilter.UnsharpMask(radius, percent, 0))
        elif name == "grayscale":
            image = image.convert("L").convert("RGB")
        elif name == "rotate":
            image = image.transpose(_TURNS[params["degrees"] % 360])
        elif name == "flip":
            horizontal = params.get("direction", "horizontal") == "horizontal"
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT if horizontal else Image.Transpose.FLIP_TOP_BOTTOM)
        elif name == "resize":
            width = params["width"]
            size = (width, round(image.height * width / image.width))
            image = image.resize(size, Image.Resampling.LANCZOS)
    return image


@pytest.fixture(scope="module")
def photo_png() -> bytes:
    return _save(_photo(), "PNG")


@pytest.mark.parametrize(
    ("steps", "max_difference", "mean_tolerance"),
    [
        ([("brightness", {"amount": 0.1})], 1, 0.05),
        ([("brightness", {"amount": -0.3})], 1, 0.05),
        ([("contrast", {"amount": 0.3})], 1, 0.1),
        ([("contrast", {"amount": -0.5})], 1, 0.1),
        ([("sharpen", {})], 8, 0.6),
        ([("sharpen", {"amount": 2.0, "radius": 2.0})], 16, 0.8),
        ([("grayscale", {})], 1, 0.01),
        ([("rotate", {"degrees": 90})], 0, 0.0),
        ([("rotate", {"degrees": -90})], 0, 0.0),
        ([("rotate", {"degrees": 180})], 0, 0.0),
        ([("rotate", {"degrees": 270.0})], 0, 0.0),
        ([("flip", {})], 0, 0.0),
        ([("flip", {"direction": "vertical"})], 0, 0.0),
        ([("resize", {"width": 300})], 3, 0.05),
        ([("brightness", {"amount": 0.1}), ("resize", {"width": 300, "mode": "fit"})], 3, 0.05),
        # validated params as pipeline.validate_plan dumps them, defaults included
        ([("resize", {"width": 300, "height": None, "factor": None, "mode": "fit"})], 3, 0.05),
        ([("rotate", {"degrees": 90.0, "expand": True, "fill": "#ffffff"})], 0, 0.0),
        ([("sharpen", {"amount": 1.0, "radius": 1.0}), ("flip", {"direction": "horizontal"})], 8, 0.6),
    ],
)
def test_each_op_matches_the_pillow_path(
    photo_png: bytes, steps: Steps, max_difference: int, mean_tolerance: float
) -> None:
    fast = _open(run_plan_fast(photo_png, steps, format="png", quality=90))
    reference = _pillow(_photo(), steps)
    assert fast.size == reference.size
    assert fast.mode == "RGB"
    difference = np.abs(_pixels(fast) - _pixels(reference))
    assert difference.max() <= max_difference
    assert abs(_pixels(fast).mean() - _pixels(reference).mean()) <= mean_tolerance


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"width": 150}, (150, 100)),
        ({"height": 100}, (150, 100)),
        ({"width": 100, "height": 100}, (100, 67)),
        ({"width": 1000, "height": 100}, (150, 100)),
        ({"factor": 0.25}, (150, 100)),
        ({"factor": 1.5}, (900, 600)),
        ({"width": 599}, (599, 399)),
    ],
)
def test_resize_sizes_are_exact(photo_png: bytes, params: dict[str, Any], size: tuple[int, int]) -> None:
    assert _open(run_plan_fast(photo_png, [("resize", params)], format="png", quality=90)).size == size
    resized_later = [("flip", {}), ("resize", params)]
    assert _open(run_plan_fast(photo_png, resized_later, format="png", quality=90)).size == size


def _upright_marked_jpeg() -> tuple[bytes, Image.Image]:
    """Stored 3000x2000 with EXIF orientation 6; displayed 2000x3000 with red at the top-right."""
    stored = _photo(3000, 2000)
    stored.paste((255, 0, 0), (0, 0, 300, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "CameraMaker"
    return _save(stored, "JPEG", quality=92, exif=exif.tobytes()), stored


def test_benchmark_chain_on_an_oriented_jpeg() -> None:
    data, stored = _upright_marked_jpeg()
    steps: Steps = [
        ("resize", {"width": 1024}),
        ("brightness", {"amount": 0.1}),
        ("contrast", {"amount": 0.1}),
        ("sharpen", {"amount": 1.0, "radius": 1.0}),
    ]
    out = run_plan_fast(data, steps, format="jpeg", quality=85)
    image = _open(out)
    assert image.format == "JPEG"
    assert image.size == (1024, 1536)
    # red block: stored top-left, displayed top-right after the 90 degree clockwise turn
    red, green, blue = _pixels(image)[40, 1024 - 40]
    assert red > 200
    assert max(green, blue) < 60
    assert _pixels(image)[1500, 40].tolist() != [255, 0, 0]
    assert image.getexif() == {}
    assert b"CameraMaker" not in (out or b"")
    upright = stored.transpose(Image.Transpose.ROTATE_270)
    reference = _pillow(upright, steps)
    assert reference.size == image.size
    assert abs(_pixels(image).mean() - _pixels(reference).mean()) <= 1.0


def test_jpeg_quality_is_applied(photo_png: bytes) -> None:
    low = run_plan_fast(photo_png, [], format="jpeg", quality=30)
    high = run_plan_fast(photo_png, [], format="jpeg", quality=95)
    assert low is not None
    assert high is not None
    assert len(low) < len(high)


def test_no_steps_reencodes_only(photo_png: bytes) -> None:
    image = _open(run_plan_fast(photo_png, [], format="webp", quality=90))
    assert (image.format, image.size) == ("WEBP", (600, 400))


def test_alpha_passes_through_untouched() -> None:
    source = _photo(64, 32).convert("RGBA")
    alpha = Image.linear_gradient("L").resize((64, 32))
    source.putalpha(alpha)
    out = _open(run_plan_fast(_save(source, "PNG"), [("brightness", {"amount": 0.2})], format="png", quality=90))
    assert out.mode == "RGBA"
    assert np.array_equal(np.asarray(out.getchannel("A")), np.asarray(alpha))


def test_jpeg_output_of_transparent_input_is_white_there() -> None:
    source = Image.new("RGBA", (32, 16), (0, 0, 255, 0))
    source.paste((200, 0, 0, 255), (0, 0, 16, 16))
    out = _open(run_plan_fast(_save(source, "PNG"), [], format="jpeg", quality=95))
    assert out.mode == "RGB"
    assert np.abs(_pixels(out)[:, 20:] - 255).max() <= 2


def test_grey_input_comes_out_rgb() -> None:
    source = Image.linear_gradient("L").resize((64, 64))
    out = _open(run_plan_fast(_save(source, "PNG"), [("flip", {})], format="png", quality=90))
    assert (out.mode, out.size) == ("RGB", (64, 64))
    expected = np.asarray(source.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert np.array_equal(np.asarray(out)[..., 1], expected)


@pytest.mark.parametrize(
    "steps",
    [
        [("blur", {"radius": 2})],
        [("rotate", {"degrees": 45})],
        [("resize", {"width": 100, "height": 100, "mode": "fill"})],
        [("brightness", {"amount": 0.1, "colour": "red"})],
        [("brightness", {"amount": "a lot"})],
        [("flip", {"direction": "diagonal"})],
        [("resize", {"width": 0})],
        [("brightness", {"amount": 0.1}), ("sepia", {})],
    ],
)
def test_unsupported_steps_give_none(photo_png: bytes, steps: Steps) -> None:
    assert run_plan_fast(photo_png, steps, format="jpeg", quality=85) is None


@pytest.mark.parametrize("fmt", ["gif", "avif", "tiff"])
def test_unsupported_output_formats_give_none(photo_png: bytes, fmt: str) -> None:
    assert run_plan_fast(photo_png, [], format=fmt, quality=85) is None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG"), id="cmyk-jpeg"),
        pytest.param(_save(Image.new("I;16", (16, 16), 40000), "PNG"), id="16-bit-png"),
        pytest.param(_save(_photo(64, 48), "JPEG")[:-300], id="truncated-jpeg"),
    ],
)
@pytest.mark.parametrize("steps", [[("flip", {})], [("resize", {"width": 8})]], ids=["plain-load", "shrink-on-load"])
def test_images_that_need_the_pillow_decoder_give_none(data: bytes, steps: Steps) -> None:
    assert run_plan_fast(data, steps, format="png", quality=90) is None


def test_the_same_guard_refuses_bombs() -> None:
    data = bytearray(_save(_photo(64, 48), "JPEG"))
    start = data.index(b"\xff\xc0")
    data[start + 5 : start + 9] = bytes.fromhex("EA60EA60")  # 60000 x 60000
    with pytest.raises(ImageInputError, match=r"60000x60000 \(3600 MP\), above the 50 MP limit"):
        run_plan_fast(bytes(data), [("resize", {"width": 100})], format="jpeg", quality=85)


def test_the_same_guard_refuses_non_images() -> None:
    with pytest.raises(ImageInputError, match=r"\(text file\)"):
        run_plan_fast(b"not an image\n", [], format="jpeg", quality=85)


def test_pixel_limit_is_per_call(photo_png: bytes) -> None:
    with pytest.raises(ImageInputError, match=r"above the 0\.2 MP limit"):
        run_plan_fast(photo_png, [], format="png", quality=90, max_pixels=200_000)


def test_fast_ops_are_the_documented_ones() -> None:
    assert FAST_OPS == ("resize", "brightness", "contrast", "sharpen", "rotate", "flip", "grayscale")


def test_pyvips_is_imported_only_when_used() -> None:
    code = "import sys, nanobananas.engine.fastpath; print('pyvips' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("steps", "max_difference"),
    [
        ([("resize", {"width": 300})], 3),
        ([("brightness", {"amount": 0.1})], 1),
        ([("contrast", {"amount": 0.1})], 1),
        ([("sharpen", {})], 8),
        ([("grayscale", {})], 1),
        ([("rotate", {"degrees": 270})], 0),
        ([("flip", {"direction": "vertical"})], 0),
        (
            [
                ("resize", {"width": 300}),
                ("brightness", {"amount": 0.1}),
                ("contrast", {"amount": 0.1}),
                ("sharpen", {}),
            ],
            8,
        ),
    ],
)
def test_matches_the_engines_own_pillow_pipeline(photo_png: bytes, steps: Steps, max_difference: int) -> None:
    from nanobananas.engine.pipeline import run_plan, validate_plan
    from nanobananas.engine.plan import OpCall, Plan

    plan = Plan(steps=[OpCall(op=name, params=params) for name, params in steps], planner_version="test")
    validated = [(operation.name, params.model_dump()) for operation, params in validate_plan(plan)]
    fast = _open(run_plan_fast(photo_png, validated, format="png", quality=90))
    reference = run_plan(_photo(), plan).image
    assert (fast.size, fast.mode) == (reference.size, reference.mode)
    difference = np.abs(_pixels(fast) - _pixels(reference))
    assert difference.max() <= max_difference
    assert abs(_pixels(fast).mean() - _pixels(reference).mean()) <= 0.6


def _oriented(fmt: str) -> bytes:
    """Stored 40x20, blue with a red 8x8 top-left corner, EXIF orientation 6."""
    stored = Image.new("RGB", (40, 20), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 8, 8))
    if fmt == "TIFF":
        return _save(stored, fmt, tiffinfo={0x0112: 6})
    exif = Image.Exif()
    exif[0x0112] = 6
    params: dict[str, Any] = {"exif": exif.tobytes()}
    if fmt == "WEBP":
        params["lossless"] = True
    if fmt == "JPEG":
        params["quality"] = 100
    return _save(stored, fmt, **params)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG", "TIFF"])
@pytest.mark.parametrize(
    ("steps", "size"),
    [([("resize", {"width": 10})], (10, 20)), ([("flip", {"direction": "vertical"})], (20, 40))],
    ids=["shrink-on-load", "plain-load"],
)
def test_orientation_is_applied_in_every_format(fmt: str, steps: Steps, size: tuple[int, int]) -> None:
    image = _open(run_plan_fast(_oriented(fmt), steps, format="png", quality=90))
    assert image.size == size
    corner = (image.width - 2, 1) if steps[0][0] == "resize" else (image.width - 2, image.height - 2)
    red, green, blue = image.getpixel(corner)  # type: ignore[misc]
    assert red > 200
    assert max(green, blue) < 60


@pytest.mark.parametrize(
    "steps",
    [
        [("rotate", {"degrees": 90}), ("resize", {"width": 150})],
        [("rotate", {"degrees": -90}), ("flip", {"direction": "vertical"}), ("resize", {"height": 120})],
        [("grayscale", {}), ("flip", {}), ("resize", {"factor": 0.5})],
        [("rotate", {"degrees": 180}), ("resize", {"width": 100, "height": 100}), ("brightness", {"amount": 0.2})],
        [("sharpen", {}), ("resize", {"width": 150})],
    ],
)
def test_a_later_resize_matches_the_pillow_order(photo_png: bytes, steps: Steps) -> None:
    from nanobananas.engine.pipeline import run_plan
    from nanobananas.engine.plan import OpCall, Plan

    plan = Plan(steps=[OpCall(op=name, params=params) for name, params in steps], planner_version="test")
    fast = _open(run_plan_fast(photo_png, steps, format="png", quality=90))
    reference = run_plan(_photo(), plan).image
    assert fast.size == reference.size
    difference = np.abs(_pixels(fast) - _pixels(reference))
    assert difference.max() <= 8
    assert abs(_pixels(fast).mean() - _pixels(reference).mean()) <= 0.6


def test_resize_after_turns_and_grey_shrinks_on_load(photo_png: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyvips

    calls: list[tuple[int, int]] = []
    thumbnail = pyvips.Image.thumbnail_buffer

    def spy(data: bytes, width: int, **options: Any) -> pyvips.Image:
        calls.append((width, options["height"]))
        return thumbnail(data, width, **options)

    monkeypatch.setattr(pyvips.Image, "thumbnail_buffer", spy)
    steps: Steps = [("grayscale", {}), ("rotate", {"degrees": 90}), ("resize", {"width": 100})]
    image = _open(run_plan_fast(photo_png, steps, format="png", quality=90))
    # 600x400 turned is 400x600; 100 wide is 100x150 upright, so 150x100 before the turn
    assert calls == [(150, 100)]
    assert image.size == (100, 150)
    calls.clear()
    run_plan_fast(photo_png, [("sharpen", {}), ("resize", {"width": 100})], format="png", quality=90)
    assert calls == []
