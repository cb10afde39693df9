"""Detail ops: blur (whole and background only), sharpen, denoise, pixelate, vignette, grain."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .conftest import apply


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")).astype(np.float64)


def _laplacian_variance(image: Image.Image) -> float:
    g = _gray(image)
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var())


def test_blur_removes_detail(photo: Image.Image) -> None:
    out = apply("blur", photo, radius=4)
    assert out.size == photo.size
    assert _laplacian_variance(out) < _laplacian_variance(photo) * 0.3


def test_blur_background_only_keeps_the_subject_sharp(product: Image.Image) -> None:
    noisy = Image.fromarray(
        np.clip(np.asarray(product) + np.random.default_rng(1).normal(0, 12, (300, 300, 3)), 0, 255).astype(np.uint8)
    )
    out = apply("blur", noisy, radius=6, background_only=True)
    centre = (slice(120, 180), slice(120, 180))
    corner = (slice(0, 50), slice(0, 50))
    assert np.array_equal(np.asarray(out)[centre], np.asarray(noisy)[centre])
    assert np.asarray(out)[corner].std() < np.asarray(noisy)[corner].std() * 0.5


def test_sharpen_adds_detail(photo: Image.Image) -> None:
    assert _laplacian_variance(apply("sharpen", photo, amount=1.0)) > _laplacian_variance(photo) * 1.5


def test_denoise_reduces_noise(photo: Image.Image) -> None:
    noise = np.random.default_rng(3).normal(0, 25, (240, 320, 3))
    noisy = Image.fromarray(np.clip(np.asarray(photo) + noise, 0, 255).astype(np.uint8))
    out = apply("denoise", noisy, strength=12)
    error_before = np.abs(_gray(noisy) - _gray(photo)).mean()
    error_after = np.abs(_gray(out) - _gray(photo)).mean()
    assert error_after < error_before * 0.6


def test_pixelate_makes_flat_blocks(photo: Image.Image) -> None:
    out = apply("pixelate", photo, block=10)
    pixels = np.asarray(out)
    assert out.size == photo.size
    block = pixels[20:30, 40:50].reshape(-1, 3)
    assert (block == block[0]).all()
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) <= 32 * 24


def test_pixelate_by_block_count(photo: Image.Image) -> None:
    pixels = np.asarray(apply("pixelate", photo, blocks=16))
    assert (pixels[:20, :20].reshape(-1, 3) == pixels[0, 0]).all()


def test_vignette_darkens_corners_not_centre(photo: Image.Image) -> None:
    out = _gray(apply("vignette", photo, strength=0.6))
    before = _gray(photo)
    assert out[:10, :10].mean() < before[:10, :10].mean() * 0.7
    assert abs(out[110:130, 150:170].mean() - before[110:130, 150:170].mean()) < 1


def test_grain_is_reproducible_and_keeps_the_mean(photo: Image.Image) -> None:
    first = np.asarray(apply("grain", photo, amount=0.5, seed=4))
    second = np.asarray(apply("grain", photo, amount=0.5, seed=4))
    assert np.array_equal(first, second)
    assert not np.array_equal(first, np.asarray(photo))
    assert abs(first.mean() - np.asarray(photo).mean()) < 1.5
