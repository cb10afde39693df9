"""The object eraser: the brushed area is filled like its surroundings and nothing else changes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.tools import ToolError, run_tool

DISC = (96, 58, 224, 182)  # the red disc in the sky of the `photo` fixture


def _brush(size: tuple[int, int], box: tuple[int, int, int, int], grow: int = 6) -> Image.Image:
    mask = Image.new("L", size, 0)
    left, top, right, bottom = box
    ImageDraw.Draw(mask).ellipse((left - grow, top - grow, right + grow, bottom + grow), fill=255)
    return mask


def test_the_red_disc_is_gone_and_filled_like_the_sky_around_it(photo: Image.Image) -> None:
    mask = _brush(photo.size, DISC)
    result = run_tool("erase-object", [photo], {}, mask=mask)
    [output] = result.outputs
    assert output.name == "erased"
    erased = np.asarray(output.image, dtype=np.float32)
    inside = np.asarray(mask) > 0
    # The sky is a vertical gradient: compare each filled row with the same row just outside the brush.
    left, top, right, bottom = DISC
    for y in range(top, bottom, 8):
        row_inside = erased[y][inside[y]].mean(axis=0)
        beside = np.concatenate([erased[y, left - 30 : left - 12], erased[y, right + 12 : right + 30]]).mean(axis=0)
        assert np.abs(row_inside - beside).max() < 10
    assert not ((erased[..., 0] - erased[..., 1] > 80) & inside).any()


def test_pixels_away_from_the_brush_are_untouched(photo: Image.Image) -> None:
    mask = _brush(photo.size, DISC)
    erased = np.asarray(run_tool("erase-object", [photo], {}, mask=mask).outputs[0].image)
    original = np.asarray(photo)
    assert np.array_equal(erased[:, 300:], original[:, 300:])
    assert np.array_equal(erased[260:], original[260:])


def test_a_mask_drawn_on_a_smaller_canvas_is_scaled_to_the_picture(photo: Image.Image) -> None:
    half = _brush(photo.size, DISC).resize((320, 240), Image.Resampling.NEAREST)
    erased = np.asarray(run_tool("erase-object", [photo], {}, mask=half).outputs[0].image, dtype=np.int16)
    assert (erased[120, 160, 0] - erased[120, 160, 1]) < 40


def test_the_eraser_needs_a_mask_that_marks_something(photo: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("erase-object", [photo], {})
    assert caught.value.code == "bad_input"
    with pytest.raises(ToolError) as caught:
        run_tool("erase-object", [photo], {}, mask=Image.new("L", photo.size, 0))
    assert str(caught.value) == "the mask is empty: brush over what to remove"
    with pytest.raises(ToolError) as caught:
        run_tool("erase-object", [photo], {}, mask=Image.new("L", (100, 100), 255))
    assert caught.value.code == "bad_input"
    assert "not the shape of the 640x480 picture" in str(caught.value)
    with pytest.raises(ToolError) as caught:
        run_tool("erase-object", [photo], {}, mask=Image.new("L", photo.size, 255))
    assert caught.value.code == "bad_input"
