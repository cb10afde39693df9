"""Geometry ops: rotate, flip, resize, crops, presets, upscale, border, polaroid, pad, round corners, trim."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.errors import OperationError, PlanError
from nanobananas.engine.ops import validate_params

from .conftest import apply


def _marked(width: int = 40, height: int = 20) -> Image.Image:
    """Black image with one red pixel at (x=3, y=2) and one green pixel at the bottom-right corner."""
    image = Image.new("RGB", (width, height), (0, 0, 0))
    image.putpixel((3, 2), (255, 0, 0))
    image.putpixel((width - 1, height - 1), (0, 255, 0))
    return image


def test_rotate_90_clockwise_moves_a_pixel_exactly() -> None:
    out = apply("rotate", _marked(), degrees=90)
    assert out.size == (20, 40)
    # Clockwise: (x, y) -> (h - 1 - y, x)
    assert out.getpixel((20 - 1 - 2, 3)) == (255, 0, 0)
    assert out.getpixel((0, 39)) == (0, 255, 0)


def test_rotate_counterclockwise_is_negative_and_equals_270() -> None:
    left = apply("rotate", _marked(), degrees=-90)
    assert left.getpixel((2, 40 - 1 - 3)) == (255, 0, 0)
    assert np.array_equal(np.asarray(left), np.asarray(apply("rotate", _marked(), degrees=270)))


def test_rotate_180_is_exact() -> None:
    out = apply("rotate", _marked(), degrees=180)
    assert out.size == (40, 20)
    assert out.getpixel((40 - 1 - 3, 20 - 1 - 2)) == (255, 0, 0)
    assert out.getpixel((0, 0)) == (0, 255, 0)


def test_rotate_any_angle_expands_with_white_fill() -> None:
    out = apply("rotate", Image.new("RGB", (100, 50), (0, 0, 0)), degrees=45)
    assert out.size == (108, 108)  # ceil of (100 + 50) / sqrt(2) plus the rounding of the new corners
    assert out.getpixel((0, 0)) == (255, 255, 255)
    assert out.getpixel((53, 53)) == (0, 0, 0)


def test_flip_horizontal_and_vertical() -> None:
    horizontal = apply("flip", _marked(), direction="horizontal")
    assert horizontal.getpixel((36, 2)) == (255, 0, 0)
    vertical = apply("flip", _marked(), direction="vertical")
    assert vertical.getpixel((3, 17)) == (255, 0, 0)


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"width": 160}, (160, 120)),
        ({"height": 60}, (80, 60)),
        ({"factor": 0.5}, (160, 120)),
        ({"width": 100, "height": 100}, (100, 75)),
        ({"width": 100, "height": 100, "mode": "fill"}, (100, 100)),
        ({"width": 100, "height": 30, "mode": "stretch"}, (100, 30)),
    ],
)
def test_resize_sizes(photo: Image.Image, params: dict[str, object], size: tuple[int, int]) -> None:
    assert apply("resize", photo, **params).size == size


def test_resize_needs_a_target() -> None:
    with pytest.raises(PlanError, match="resize"):
        validate_params("resize", {})
    with pytest.raises(PlanError):
        validate_params("resize", {"factor": 2, "width": 10})


@pytest.mark.parametrize(("ratio", "size"), [("1:1", (240, 240)), ("16:9", (320, 180)), ("9:16", (135, 240))])
def test_crop_aspect_sizes(photo: Image.Image, ratio: str, size: tuple[int, int]) -> None:
    assert apply("crop_aspect", photo, ratio=ratio).size == size


def test_crop_aspect_centres_on_the_subject() -> None:
    image = Image.new("RGB", (400, 100), (240, 240, 240))
    image.paste((200, 0, 0), (300, 30, 340, 70))
    out = apply("crop_aspect", image, ratio="1:1")
    assert out.size == (100, 100)
    pixels = np.asarray(out)
    assert (pixels[..., 1] == 0).sum() == 40 * 40  # the whole red square is inside the crop


def test_crop_aspect_center_focus_ignores_the_subject() -> None:
    image = Image.new("RGB", (400, 100), (240, 240, 240))
    image.paste((200, 0, 0), (300, 30, 340, 70))
    out = apply("crop_aspect", image, ratio="1:1", focus="center")
    assert (np.asarray(out)[..., 1] == 0).sum() == 0


def test_crop_aspect_rejects_bad_ratio() -> None:
    with pytest.raises(PlanError, match="ratio"):
        validate_params("crop_aspect", {"ratio": "wide"})


def test_crop_box_pixels_and_percent(photo: Image.Image) -> None:
    assert apply("crop_box", photo, left=10, top=20, width=100, height=50).size == (100, 50)
    half = apply("crop_box", photo, left=50, top=0, width=50, height=100, unit="percent")
    assert half.size == (160, 240)
    assert np.array_equal(np.asarray(half), np.asarray(photo)[:, 160:])


def test_crop_box_outside_the_image_fails(photo: Image.Image) -> None:
    with pytest.raises(OperationError):
        apply("crop_box", photo, left=400, top=0, width=10, height=10)


@pytest.mark.parametrize(
    ("preset", "size"),
    [
        ("instagram_post", (1080, 1080)),
        ("instagram_portrait", (1080, 1350)),
        ("instagram_story", (1080, 1920)),
        ("youtube_thumbnail", (1280, 720)),
        ("facebook_cover", (851, 315)),
        ("passport", (413, 531)),
    ],
)
def test_resize_presets(photo: Image.Image, preset: str, size: tuple[int, int]) -> None:
    assert apply("resize_preset", photo, preset=preset).size == size


def test_upscale_doubles_exactly_and_restores_detail(photo: Image.Image) -> None:
    out = apply("upscale", photo, factor=2)
    assert out.size == (640, 480)
    plain = photo.resize((640, 480), Image.Resampling.LANCZOS)

    def edge_energy(image: Image.Image) -> float:
        gray = np.asarray(image.convert("L")).astype(float)
        return float(np.abs(np.diff(gray, axis=1)).mean())

    assert edge_energy(out) > edge_energy(plain) * 1.2


def test_border_is_exactly_the_given_width(photo: Image.Image) -> None:
    out = apply("border", photo, width=20, color="white")
    assert out.size == (360, 280)
    pixels = np.asarray(out)
    assert (pixels[:20] == 255).all()
    assert (pixels[-20:] == 255).all()
    assert (pixels[:, :20] == 255).all()
    assert (pixels[:, -20:] == 255).all()
    assert np.array_equal(pixels[20:-20, 20:-20], np.asarray(photo))


def test_border_percent_and_colour_names(photo: Image.Image) -> None:
    out = apply("border", photo, percent=5, color="red")
    assert out.size == (320 + 24, 240 + 24)
    assert out.getpixel((0, 0)) == (255, 0, 0)
    with pytest.raises(PlanError):
        validate_params("border", {"width": 10, "percent": 5})
    with pytest.raises(PlanError, match="colour"):
        validate_params("border", {"color": "not-a-colour"})


def test_polaroid_has_a_deeper_bottom(photo: Image.Image) -> None:
    out = apply("polaroid", photo)
    side = round(240 * 0.06)
    assert out.size == (320 + 2 * side, 240 + side + 4 * side)
    assert out.getpixel((0, out.height - 1)) == (251, 251, 248)


def test_pad_to_square_keeps_every_pixel(photo: Image.Image) -> None:
    out = apply("pad", photo, ratio="1:1", color="black")
    assert out.size == (320, 320)
    assert np.array_equal(np.asarray(out)[40:280], np.asarray(photo))
    assert out.getpixel((0, 0)) == (0, 0, 0)


def test_round_corners_are_transparent(photo: Image.Image) -> None:
    out = apply("round_corners", photo, radius=30)
    assert out.mode == "RGBA"
    alpha = np.asarray(out.getchannel("A"))
    assert alpha[0, 0] == 0
    assert alpha[-1, -1] == 0
    assert alpha[0, -1] == 0
    assert alpha[-1, 0] == 0
    assert alpha[120, 0] == 255
    assert alpha[120, 160] == 255


def test_trim_removes_a_plain_frame(photo: Image.Image) -> None:
    framed = apply("border", photo, width=15, color="white")
    out = apply("trim", framed)
    assert out.size == photo.size


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (3, 1)])
def test_round_corners_on_tiny_pictures(size: tuple[int, int]) -> None:
    assert apply("round_corners", Image.new("RGB", size), radius=10).size == size
