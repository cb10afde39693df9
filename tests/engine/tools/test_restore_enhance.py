"""Auto-enhance and old-photo restore, measured: contrast, faded colour, dust and scratches."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.tools import run_tool
from nanobananas.engine.tools.restore import find_defects


def _faded(photo: Image.Image) -> Image.Image:
    """The photo as an old print: low contrast, lifted blacks and a yellow cast."""
    pixels = np.asarray(photo, dtype=np.float32)
    faded = 70 + pixels * 0.5 + np.array([18, 10, -20], dtype=np.float32)
    return Image.fromarray(np.clip(faded, 0, 255).astype(np.uint8))


def _damaged(photo: Image.Image) -> tuple[Image.Image, np.ndarray]:
    """The photo with two thin scratches and a dozen dust specks, and the mask of the damage."""
    damaged = photo.copy()
    mask = Image.new("L", photo.size, 0)
    for target, fill in ((damaged, (250, 250, 245)), (mask, 255)):
        draw = ImageDraw.Draw(target)
        draw.line((30, 20, 610, 300), fill=fill, width=2)
        draw.line((500, 10, 470, 460), fill=fill, width=2)
        for index in range(12):
            x, y = 40 + index * 47, 400 - (index % 4) * 90
            draw.ellipse((x, y, x + 3, y + 3), fill=fill if target is mask else (15, 15, 15))
    return damaged, np.asarray(mask) > 0


def test_enhance_stretches_a_dull_picture(photo: Image.Image) -> None:
    dull = Image.fromarray((100 + np.asarray(photo, dtype=np.float32) * 0.3).astype(np.uint8))
    result = run_tool("enhance", [dull], {})
    enhanced = np.asarray(result.outputs[0].image, dtype=np.float32)
    assert enhanced.std() > np.asarray(dull, dtype=np.float32).std() * 2
    assert result.outputs[0].image is not None
    assert result.outputs[0].image.size == dull.size
    assert result.operation == "auto-enhanced"


def test_dust_and_scratches_are_found_and_little_else(photo: Image.Image) -> None:
    import cv2

    damaged, damage = _damaged(photo)
    found = find_defects(cv2.cvtColor(np.asarray(damaged), cv2.COLOR_RGB2GRAY))
    assert found[damage].mean() > 0.85  # a light scratch over the yellow box hardly differs from it
    assert found[~damage].mean() < 0.02
    # On the undamaged photo (shapes with sharp edges and grain) nothing is flagged.
    assert not find_defects(cv2.cvtColor(np.asarray(photo), cv2.COLOR_RGB2GRAY)).any()


def test_restore_fills_the_damage_with_what_was_there(photo: Image.Image) -> None:
    damaged, damage = _damaged(photo)
    result = run_tool("restore", [damaged], {"colors": False})
    restored = np.asarray(result.outputs[0].image, dtype=np.float32)
    original = np.asarray(photo, dtype=np.float32)
    before = np.abs(np.asarray(damaged, dtype=np.float32) - original)[damage].mean()
    after = np.abs(restored - original)[damage].mean()
    assert before > 60
    assert after < 15
    assert result.notes[0].startswith("Filled dust and scratches over ")


def test_restore_recovers_faded_colour_and_contrast_of_a_real_photo(astronaut: Image.Image) -> None:
    faded = _faded(astronaut)
    result = run_tool("restore", [faded], {})
    restored = np.asarray(result.outputs[0].image, dtype=np.float32)
    faded_pixels = np.asarray(faded, dtype=np.float32)
    original = np.asarray(astronaut, dtype=np.float32)

    def cast(pixels: np.ndarray) -> np.ndarray:
        """How far each channel's mean is off the original's, beyond the overall brightness."""
        return np.abs(pixels.mean(axis=(0, 1)) - pixels.mean() - original.mean(axis=(0, 1)) + original.mean())

    assert cast(faded_pixels).max() > 10
    assert cast(restored).max() < 2
    assert restored.std() > faded_pixels.std() * 1.6
    assert np.abs(restored - original).mean() < np.abs(faded_pixels - original).mean() / 3
    # Little of the real photo is taken for damage (its hair, the flag's stars and the lettering are kept).
    assert float(result.notes[0].split(" over ")[1].split("%")[0]) < 0.5


def test_restore_of_a_clean_photo_says_no_damage_stood_out(photo: Image.Image) -> None:
    result = run_tool("restore", [photo], {})
    assert result.notes == ["No dust or scratches stood out.", "Noise removed, faded colour and contrast recovered."]


@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_restore_keeps_transparency_and_takes_greyscale(photo: Image.Image, mode: str) -> None:
    image = photo.convert(mode)
    restored = run_tool("restore", [image], {}).outputs[0].image
    assert restored is not None
    assert restored.size == photo.size
    assert restored.mode == ("RGBA" if mode == "RGBA" else "RGB")
