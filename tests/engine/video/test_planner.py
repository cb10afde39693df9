"""plan_video and looks_like_video_request: one test per phrasing family, each with several wordings."""

from __future__ import annotations

import pytest

from nanobananas.engine.video import CAN_DO, VideoPlan, looks_like_video_request, plan_video


def _plan(text: str, available: int = 4) -> VideoPlan:
    plan = plan_video(text, available_images=available)
    assert plan.refusal is None, plan.refusal
    assert plan.spec is not None
    return plan


def _fields(plan: VideoPlan) -> tuple[object, ...]:
    spec = plan.spec
    assert spec is not None
    return spec.motion, spec.seconds, spec.width, spec.height, spec.fps, spec.format, plan.images_wanted


@pytest.mark.parametrize(
    ("text", "seconds", "size"),
    [
        ("animate this poster", 6, (1280, 720)),
        ("bring my flyer to life", 6, (1280, 720)),
        ("make the title fly in on the poster, 8 seconds, vertical", 8, (720, 1280)),
        ("animated poster for stories", 6, (720, 1280)),
        ("Animate the invitation card — 10s, square", 10, (720, 720)),
        ("make a video of this poster", 6, (1280, 720)),
    ],
)
def test_animate_a_poster(text: str, seconds: float, size: tuple[int, int]) -> None:
    plan = _plan(text)
    assert _fields(plan) == ("poster", seconds, *size, 30, "mp4", 1)
    assert looks_like_video_request(text)


@pytest.mark.parametrize(
    ("text", "seconds", "wanted", "transition"),
    [
        ("make a 10 second slideshow of my last three images", 10, "last:3", "crossfade"),
        ("slideshow of the last 4 photos with slide transitions", 6, "last:4", "slide"),
        ("turn my last 2 pictures into a video", 6, "last:2", "crossfade"),
        ("a twelve-second montage of these three photos, fading between them", 12, "last:3", "crossfade"),
        ("slideshow", 6, "last:4", "crossfade"),
        ("a slideshow of all my pictures", 6, "last:4", "crossfade"),
        ("make a video of these pictures", 6, 4, "crossfade"),
    ],
)
def test_slideshow_of_the_last_n(text: str, seconds: float, wanted: str | int, transition: str) -> None:
    plan = _plan(text)
    assert _fields(plan) == ("slideshow", seconds, 1280, 720, 30, "mp4", wanted)
    assert plan.spec is not None
    assert plan.spec.transition == transition
    assert looks_like_video_request(text)


def test_slideshow_captions_come_from_quotes_in_order() -> None:
    plan = _plan('slideshow of my last 2 photos with captions "Day one" and "Day two"')
    assert plan.spec is not None
    assert plan.spec.captions == ["Day one", "Day two"]
    listed = _plan("slideshow of my last three pictures, captions: Arrival; The beach; Home again")
    assert listed.spec is not None
    assert listed.spec.captions == ["Arrival", "The beach", "Home again"]


@pytest.mark.parametrize(
    ("text", "motion", "focus", "seconds", "fps"),
    [
        ("slow zoom on her face", "zoom_in", "face", 6, 30),
        ("ken burns on the dog, 8s", "zoom_in", "subject", 8, 30),
        ("zoom out slowly from the centre", "zoom_out", "center", 6, 30),
        ("push in on the subject for 5 seconds at 24 fps", "zoom_in", "subject", 5, 24),
        ("slowly pull back from his face, cinematic", "zoom_out", "face", 6, 24),
    ],
)
def test_zoom_on_a_face_or_the_subject(text: str, motion: str, focus: str, seconds: float, fps: int) -> None:
    plan = _plan(text)
    assert _fields(plan) == (motion, seconds, 1280, 720, fps, "mp4", 1)
    assert plan.spec is not None
    assert plan.spec.focus == focus
    assert looks_like_video_request(text)


@pytest.mark.parametrize(
    ("text", "direction", "seconds", "size"),
    [
        ("pan from left to right, 6 seconds, square", "left_to_right", 6, (720, 720)),
        ("pan left", "right_to_left", 6, (1280, 720)),
        ("pan down the picture for 12 seconds", "top_to_bottom", 12, (1280, 720)),
        ("a vertical pan from the bottom to the top", "bottom_to_top", 6, (720, 1280)),
        ("pan across it from the right in 1080p", "right_to_left", 6, (1920, 1080)),
        ("Pan right to left, 7.5 s, for stories, 1080p", "right_to_left", 7.5, (1080, 1920)),
    ],
)
def test_pan_with_direction_length_and_shape(text: str, direction: str, seconds: float, size: tuple[int, int]) -> None:
    plan = _plan(text)
    assert _fields(plan) == ("pan", seconds, *size, 30, "mp4", 1)
    assert plan.spec is not None
    assert plan.spec.direction == direction
    assert looks_like_video_request(text)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("before and after", "left_to_right"),
        ("before/after wipe from top to bottom", "top_to_bottom"),
        ("a before & after video, wiping right to left", "right_to_left"),
    ],
)
def test_before_and_after(text: str, direction: str) -> None:
    plan = _plan(text)
    assert _fields(plan) == ("wipe", 6, 1280, 720, 30, "mp4", "last:2")
    assert plan.spec is not None
    assert plan.spec.direction == direction
    assert looks_like_video_request(text)


@pytest.mark.parametrize(
    ("text", "motion", "seconds", "fmt"),
    [
        ("make a gif loop", "zoom_in", 4, "gif"),
        ("a 3 second webp loop of a zoom", "zoom_in", 3, "webp"),
        ("make an animated gif of this picture", "zoom_in", 4, "gif"),
        ("a looping gif panning left to right, 5 seconds", "pan", 5, "gif"),
        ("parallax effect as an animated webp", "parallax", 4, "webp"),
    ],
)
def test_gif_and_webp_loops(text: str, motion: str, seconds: float, fmt: str) -> None:
    assert _fields(_plan(text)) == (motion, seconds, 1280, 720, 30, fmt, 1)
    assert looks_like_video_request(text)


@pytest.mark.parametrize("text", ["parallax effect", "make the subject pop out in 3d", "a 2.5D photo, 5 seconds"])
def test_parallax(text: str) -> None:
    plan = _plan(text)
    assert plan.spec is not None
    assert plan.spec.motion == "parallax"
    assert looks_like_video_request(text)


def test_generic_video_requests_are_a_slow_zoom_on_the_subject() -> None:
    for text in ("make a video of this", "turn this photo into a short clip for reels", "make a two-second clip"):
        plan = _plan(text)
        assert plan.spec is not None
        assert (plan.spec.motion, plan.spec.focus) == ("zoom_in", "subject")
    assert _fields(_plan("make a ten-second video in full hd square")) == ("zoom_in", 10, 1080, 1080, 30, "mp4", 1)


def test_the_summary_says_what_will_be_made() -> None:
    assert _plan("make a 10 second slideshow of my last three images").summary == (
        "A 10 second slideshow of your last 3 pictures with crossfades: 1280x720 MP4 video at 30 fps."
    )
    assert _plan("pan left, 4 seconds, square gif").summary == (
        "A 4 second pan right to left: 720x720 GIF loop at 30 fps."
    )


@pytest.mark.parametrize(
    ("text", "available", "reason"),
    [
        ("make her dance", 1, "needs a generative video model"),
        ("make the water flow in this photo", 1, "needs a generative video model"),
        ("a video of him walking on the beach", 1, "needs a generative video model"),
        ("make a 5 second video of a cat surfing", 1, "not in your pictures appear and move"),
        ("a clip showing two dogs playing in the snow", 0, "not in your pictures appear and move"),
        ("add music to the slideshow", 3, "Videos made here are silent"),
        ("a 20 second video", 1, "A video can be 2 to 15 seconds long, not 20."),
        ("a one minute slideshow", 3, "A video can be 2 to 15 seconds long, not 60."),
        ("video in 4k", 1, "The largest video is 1080p"),
        ("60 fps video", 1, "at 24 or 30 frames per second, not 60"),
        ("10 second gif", 1, "A GIF loop can be at most 6 seconds; ask for an MP4 for 10 seconds."),
        ("slideshow", 1, "A slideshow of 2 pictures needs 2 pictures, and there is only 1."),
        ("slideshow of my last 5 pictures", 3, "A slideshow of 5 pictures needs 5 pictures, and there are only 3."),
        ("slideshow of my last 30 pictures", 40, "A slideshow can use at most 20 pictures, not 30."),
        ("zoom in slowly", 0, "There is no picture to make a video from yet"),
        ("make it brighter", 1, "I did not understand what video to make."),
        ("", 1, "Tell me what kind of video to make."),
    ],
)
def test_what_cannot_be_made_gets_honest_help(text: str, available: int, reason: str) -> None:
    plan = plan_video(text, available_images=available)
    assert plan.spec is None
    assert plan.refusal is not None
    assert reason in plan.refusal
    assert plan.refusal.endswith(CAN_DO)


@pytest.mark.parametrize(
    "text",
    [
        "make a poster for my video game launch",
        "a youtube thumbnail for my video",
        "convert it to gif",
        "make it a gif",
        "zoom in on the face",
        "crop to the face",
        "remove the background",
        "make the sky bluer",
        "add film grain",
        "make the caption short",
    ],
)
def test_image_requests_stay_with_the_image_planner(text: str) -> None:
    assert not looks_like_video_request(text)
