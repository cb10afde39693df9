"""Framing: which box a motion frames, and the window geometry."""

from __future__ import annotations

import pytest
from tests.engine.video.conftest import disc_on_backdrop

from nanobananas.engine.ops._subject import subject_box
from nanobananas.engine.video.framing import Crop, cover, ease, focus_box, interpolate, place


def test_face_focus_without_a_face_frames_the_subject_and_center_the_middle() -> None:
    picture = disc_on_backdrop((1200, 800), center=(900, 300), radius=80)
    assert focus_box(picture, "face") == subject_box(picture)
    left, top, right, bottom = focus_box(picture, "subject")
    assert left < 900 < right
    assert top < 300 < bottom
    assert focus_box(picture, "center") == (300, 200, 900, 600)


def test_cover_and_place_keep_the_window_inside_the_picture() -> None:
    assert cover((3000, 2000), 16 / 9) == (3000, 1687.5)
    assert cover((1000, 2000), 16 / 9) == (1000, 562.5)
    assert place((2900, 100), 1000, 500, (3000, 2000)) == Crop(2000, 0, 1000, 500)
    assert place((1500, 1000), 1000, 500, (3000, 2000)) == Crop(1000, 750, 1000, 500)


def test_zoom_windows_shrink_geometrically_and_ease_at_both_ends() -> None:
    wide, tight = Crop(0, 0, 1300, 650), Crop(150, 75, 1000, 500)
    half = interpolate(wide, tight, 0.5)
    assert half.width == pytest.approx((1300 * 1000) ** 0.5)
    assert half.center == pytest.approx((650, 325))
    assert (ease(0), ease(0.5), ease(1)) == (0.0, pytest.approx(0.5), 1.0)
    assert ease(0.05) < 0.01
