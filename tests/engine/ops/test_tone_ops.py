"""Tone and colour ops: exact values for the simple ones, measured direction for the rest."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from .conftest import apply


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(np.int32)


def _luma(image: Image.Image) -> float:
    p = _pixels(image)
    return float((p[..., 0] * 0.299 + p[..., 1] * 0.587 + p[..., 2] * 0.114).mean())


def _saturation(image: Image.Image) -> float:
    p = _pixels(image).astype(float)
    return float(((p.max(-1) - p.min(-1)) / np.maximum(p.max(-1), 1)).mean())


def test_grayscale_has_equal_channels_everywhere(photo: Image.Image) -> None:
    out = apply("grayscale", photo)
    pixels = _pixels(out)
    assert out.mode == "RGB"
    assert out.size == photo.size
    assert (pixels[..., 0] == pixels[..., 1]).all()
    assert (pixels[..., 1] == pixels[..., 2]).all()


def test_grayscale_keeps_alpha() -> None:
    image = Image.new("RGBA", (4, 4), (200, 10, 10, 77))
    out = apply("grayscale", image)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 77


def test_brightness_is_a_relative_gain() -> None:
    image = Image.new("RGB", (2, 2), (100, 50, 200))
    assert apply("brightness", image, amount=0.1).getpixel((0, 0)) == (110, 55, 220)
    assert apply("brightness", image, amount=-0.2).getpixel((0, 0)) == (80, 40, 160)
    assert apply("brightness", image, amount=0.5).getpixel((0, 0)) == (150, 75, 255)


def test_contrast_spreads_or_narrows_tones(photo: Image.Image) -> None:
    before = _pixels(photo).std()
    assert _pixels(apply("contrast", photo, amount=0.3)).std() > before * 1.2
    assert _pixels(apply("contrast", photo, amount=-0.3)).std() < before * 0.8


def test_exposure_one_stop_doubles_linear_light() -> None:
    image = Image.new("RGB", (1, 1), (100, 100, 100))
    value = apply("exposure", image, stops=1).getpixel((0, 0))[0]
    assert value == round(255 * ((100 / 255) ** 2.2 * 2) ** (1 / 2.2))
    assert apply("exposure", image, stops=-1).getpixel((0, 0))[0] < 100


def test_gamma_lifts_midtones_only() -> None:
    out = apply("gamma", Image.new("RGB", (1, 1), (128, 0, 255)), gamma=2.0)
    assert out.getpixel((0, 0)) == (round(255 * (128 / 255) ** 0.5), 0, 255)


def test_saturation_and_vibrance(photo: Image.Image) -> None:
    before = _saturation(photo)
    assert _saturation(apply("saturation", photo, amount=0.5)) > before + 0.05
    assert _saturation(apply("saturation", photo, amount=-0.5)) < before - 0.05
    grey = apply("saturation", photo, amount=-1).getpixel((5, 5))
    assert abs(grey[0] - grey[2]) <= 1
    assert _saturation(apply("vibrance", photo, amount=0.6)) > before


def test_warmth_moves_red_against_blue(photo: Image.Image) -> None:
    def red_minus_blue(image: Image.Image) -> float:
        p = _pixels(image)
        return float((p[..., 0] - p[..., 2]).mean())

    before = red_minus_blue(photo)
    assert red_minus_blue(apply("warmth", photo, amount=0.4)) > before + 10
    assert red_minus_blue(apply("warmth", photo, amount=-0.4)) < before - 10


def test_tint_moves_green() -> None:
    image = Image.new("RGB", (1, 1), (100, 100, 100))
    assert apply("tint", image, amount=0.5).getpixel((0, 0)) == (103, 94, 103)
    assert apply("tint", image, amount=-0.5).getpixel((0, 0)) == (97, 106, 97)


def test_white_balance_neutralises_a_cast() -> None:
    image = Image.fromarray(np.array([[[120, 100, 80], [240, 200, 160]]], dtype=np.uint8))
    out = _pixels(apply("white_balance", image))
    means = out.reshape(-1, 3).mean(axis=0)
    assert max(means) - min(means) <= 2


def test_sepia_orders_red_green_blue(photo: Image.Image) -> None:
    p = _pixels(apply("sepia", photo))
    assert (p[..., 0] >= p[..., 1]).all()
    assert (p[..., 1] >= p[..., 2]).all()


def test_invert_is_the_exact_negative(photo: Image.Image) -> None:
    assert np.array_equal(_pixels(apply("invert", photo)), 255 - _pixels(photo))


@pytest.mark.parametrize("levels", [2, 4, 8])
def test_posterize_keeps_that_many_levels_per_channel(photo: Image.Image, levels: int) -> None:
    p = _pixels(apply("posterize", photo, levels=levels))
    for channel in range(3):
        assert len(np.unique(p[..., channel])) <= levels
    assert len(np.unique(p.reshape(-1, 3), axis=0)) <= levels**3


def test_auto_enhance_stretches_a_dull_image(photo: Image.Image) -> None:
    dull = apply("contrast", apply("brightness", photo, amount=-0.5), amount=-0.5)
    out = apply("auto_enhance", dull)
    assert _pixels(out).std() > _pixels(dull).std() * 1.5
    assert out.size == photo.size


@pytest.mark.parametrize("preset", ["moody", "vintage", "cinematic", "vivid", "fade", "matte", "dramatic"])
def test_curves_presets_change_the_image(photo: Image.Image, preset: str) -> None:
    out = apply("curves", photo, preset=preset)
    assert out.size == photo.size
    assert np.abs(_pixels(out) - _pixels(photo)).mean() > 3


def test_fade_lifts_the_blacks() -> None:
    black = Image.new("RGB", (1, 1), (0, 0, 0))
    assert apply("curves", black, preset="fade").getpixel((0, 0))[0] == 45


def test_brightness_changes_mean_luma(photo: Image.Image) -> None:
    assert _luma(apply("brightness", photo, amount=0.25)) > _luma(photo) * 1.2
