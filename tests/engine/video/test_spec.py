"""VideoSpec validation and the frame-timing helpers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nanobananas.engine.video import MOTIONS, VideoSpec, images_needed
from nanobananas.engine.video.encode import frame_durations


def test_defaults_are_a_six_second_720p_zoom_at_30_fps() -> None:
    spec = VideoSpec()
    assert (spec.motion, spec.seconds, spec.width, spec.height, spec.fps, spec.format) == (
        "zoom_in",
        6,
        1280,
        720,
        30,
        "mp4",
    )
    assert spec.frames == 180
    assert spec.content_type == "video/mp4"
    assert MOTIONS == ("zoom_in", "zoom_out", "pan", "parallax", "poster", "slideshow", "wipe")


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"seconds": 1.5}, "greater than or equal to 2"),
        ({"seconds": 16}, "less than or equal to 15"),
        ({"width": 721}, "must be an even number of pixels, not 721"),
        ({"height": 4000}, "less than or equal to 1920"),
        ({"fps": 25}, "Input should be 24 or 30"),
        ({"motion": "spin"}, "Input should be 'zoom_in'"),
        ({"format": "mov"}, "Input should be 'mp4', 'gif' or 'webp'"),
        ({"audio": True}, "Extra inputs are not permitted"),
        ({"captions": ["hello"]}, "captions are only drawn on a slideshow"),
        ({"motion": "slideshow", "captions": ["x" * 121]}, "at most 120 characters"),
    ],
)
def test_bad_specs_are_rejected_with_the_reason(fields: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        VideoSpec(**fields)


def test_spec_is_frozen_and_round_trips_through_json() -> None:
    spec = VideoSpec(motion="slideshow", captions=["  Day   one "], transition="slide")
    assert spec.captions == ["Day one"]
    assert VideoSpec.model_validate_json(spec.model_dump_json()) == spec
    with pytest.raises(ValidationError):
        spec.seconds = 3  # type: ignore[misc]


def test_images_needed_per_motion() -> None:
    assert {motion: images_needed(motion) for motion in MOTIONS} == {
        "zoom_in": (1, 1), "zoom_out": (1, 1), "pan": (1, 1), "parallax": (1, 1), "poster": (1, 1),
        "slideshow": (2, 20), "wipe": (2, 2),
    }  # fmt: skip


def test_gif_durations_are_on_the_hundredth_grid_and_add_up_exactly() -> None:
    durations = frame_durations(60, 30, tick_ms=10)
    assert durations[:6] == [30, 40, 30, 30, 40, 30]
    assert sum(durations) == 2000
    assert sum(frame_durations(48, 24, tick_ms=1)) == 2000
    assert set(frame_durations(72, 24, tick_ms=10)) == {40, 50}
