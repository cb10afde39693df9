"""render_video and preview_video: each motion decoded with PyAV, checked for format, timing and what moved."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from PIL import Image
from tests.engine.video.conftest import blocks, decode, disc_on_backdrop, solid

from nanobananas.engine.video import VideoError, VideoInfo, VideoSpec, preview_video, render_video
from nanobananas.engine.video.motions import ZOOM


def _render(spec: VideoSpec, images: list[Image.Image], **kwargs: Any) -> tuple[bytes, VideoInfo]:
    out = io.BytesIO()
    info = render_video(spec, images, out, **kwargs)
    return out.getvalue(), info


def frame_count(image: Image.Image) -> int:
    return int(getattr(image, "n_frames", 1))


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _red_centroid(frame: np.ndarray) -> tuple[float, float]:
    red = (frame[:, :, 0] > 170) & (frame[:, :, 1] < 90) & (frame[:, :, 2] < 90)
    ys, xs = np.nonzero(red)
    return float(xs.mean()), float(ys.mean())


def test_mp4_is_h264_yuv420p_at_the_asked_size_rate_and_length_with_the_index_first(block_picture: Image.Image) -> None:
    spec = VideoSpec(motion="zoom_in", seconds=2, width=320, height=180, fps=24, focus="center")
    data, info = _render(spec, [block_picture])
    video = decode(data)
    assert video.codec == "h264"
    assert video.pix_fmt == "yuv420p"
    assert (video.width, video.height) == (320, 180)
    assert video.rate == Fraction(24)
    assert len(video.frames) == 48
    assert video.duration == pytest.approx(2.0, abs=1 / 24)
    assert video.boxes.index("moov") < video.boxes.index("mdat")
    assert video.audio_streams == 0
    assert info.content_type == "video/mp4"
    assert (info.width, info.height, info.fps, info.frames, info.seconds) == (320, 180, 24, 48, 2.0)


def test_zoom_in_ends_on_the_middle_window_scaled_by_the_zoom(block_picture: Image.Image) -> None:
    spec = VideoSpec(motion="zoom_in", seconds=2, width=320, height=180, focus="center")
    data, _ = _render(spec, [block_picture])
    frames = decode(data).frames
    first, last = frames[0], frames[-1]
    # The first frame is the whole picture; the last is its middle 1/ZOOM, enlarged to the full frame.
    whole = np.asarray(block_picture.resize((320, 180), Image.Resampling.BILINEAR))
    w, h = 960 / ZOOM, 540 / ZOOM
    middle = block_picture.resize(
        (320, 180), Image.Resampling.BILINEAR, box=(480 - w / 2, 270 - h / 2, 480 + w / 2, 270 + h / 2)
    )
    assert _diff(first, whole) < 6
    assert _diff(last, np.asarray(middle)) < 6
    assert _diff(last, whole) > 30


def test_zoom_out_is_the_zoom_in_backwards(block_picture: Image.Image) -> None:
    spec_in = VideoSpec(motion="zoom_in", seconds=2, width=320, height=180, focus="center")
    spec_out = VideoSpec(motion="zoom_out", seconds=2, width=320, height=180, focus="center")
    zoom_in = decode(_render(spec_in, [block_picture])[0]).frames
    zoom_out = decode(_render(spec_out, [block_picture])[0]).frames
    assert _diff(zoom_out[0], zoom_in[-1]) < 4
    assert _diff(zoom_out[-1], zoom_in[0]) < 4


def test_zoom_is_framed_on_the_subject_not_the_middle() -> None:
    picture = disc_on_backdrop((1280, 720), center=(1000, 420), radius=70)
    spec = VideoSpec(motion="zoom_in", seconds=2, width=320, height=180, focus="subject")
    last_x, _ = _red_centroid(decode(_render(spec, [picture])[0]).frames[-1])
    centred = decode(_render(spec.model_copy(update={"focus": "center"}), [picture])[0]).frames
    centre_x, _ = _red_centroid(centred[-1])
    # The tight window (1/1.3 of the picture) goes as near the disc as the right edge allows: x 295..1280,
    # which puts the disc at 229 of 320; the middle window (x 147..1133) would put it at 277.
    assert last_x == pytest.approx((1000 - (1280 - 1280 / ZOOM)) / (1280 / ZOOM) * 320, abs=3)
    assert centre_x == pytest.approx((1000 - (1280 - 1280 / ZOOM) / 2) / (1280 / ZOOM) * 320, abs=3)


@pytest.mark.parametrize(
    ("direction", "size", "axis", "sign"),
    [
        ("left_to_right", (1440, 360), 1, 1),
        ("right_to_left", (1440, 360), 1, -1),
        ("top_to_bottom", (360, 1440), 0, 1),
        ("bottom_to_top", (360, 1440), 0, -1),
    ],
)
def test_pan_travels_the_asked_way(direction: str, size: tuple[int, int], axis: int, sign: int) -> None:
    # Brightness rises along the pan's axis, so the mean brightness shows where the window is.
    ramp = np.linspace(0, 255, size[0] if axis == 1 else size[1], dtype=np.float32)
    grey = np.broadcast_to(ramp[None, :] if axis == 1 else ramp[:, None], (size[1], size[0])).astype(np.uint8)
    picture = Image.fromarray(grey).convert("RGB")
    width, height = (320, 180) if axis == 1 else (180, 320)
    spec = VideoSpec(motion="pan", seconds=2, width=width, height=height, direction=direction, focus="center")
    frames = decode(_render(spec, [picture])[0]).frames
    means = [float(frame.mean()) for frame in frames]
    steps = np.diff(means) * sign
    assert (means[-1] - means[0]) * sign > 100
    assert (steps > -0.5).all()


def test_pan_across_a_picture_no_wider_than_the_clip_still_travels(block_picture: Image.Image) -> None:
    spec = VideoSpec(motion="pan", seconds=2, width=320, height=180, direction="left_to_right")
    frames = decode(_render(spec, [block_picture])[0]).frames
    assert _diff(frames[0], frames[-1]) > 30


def test_wipe_middle_frame_is_half_after_half_before() -> None:
    before, after = solid((220, 40, 40)), solid((40, 60, 220))
    spec = VideoSpec(motion="wipe", seconds=2, width=320, height=180)
    frames = decode(_render(spec, [before, after])[0]).frames
    middle = frames[len(frames) // 2]
    assert middle[:, :150, 2].mean() > 200
    assert middle[:, :150, 0].mean() < 60
    assert middle[:, 170:, 0].mean() > 200
    assert middle[:, 170:, 2].mean() < 60
    assert frames[0][:, :, 0].mean() > 200
    assert frames[-1][:, :, 2].mean() > 200


def test_wipe_top_to_bottom_splits_the_middle_frame_across() -> None:
    spec = VideoSpec(motion="wipe", seconds=2, width=320, height=180, direction="top_to_bottom")
    frames = decode(_render(spec, [solid((220, 40, 40)), solid((40, 60, 220))])[0]).frames
    middle = frames[len(frames) // 2]
    assert middle[:80, :, 2].mean() > 200
    assert middle[100:, :, 0].mean() > 200


SLIDE_COLOURS = [(220, 40, 40), (40, 200, 60), (40, 60, 220)]


def test_slideshow_shows_each_picture_in_its_interval() -> None:
    pictures = [solid(colour) for colour in SLIDE_COLOURS]
    spec = VideoSpec(motion="slideshow", seconds=6, width=320, height=180, fps=30)
    frames = decode(_render(spec, pictures)[0]).frames
    assert len(frames) == 180
    # Three pictures in 6 s with 0.6 s crossfades: each is on screen 2.4 s, alone for 0-1.8, 2.4-3.6, 4.2-6.
    for seconds, colour in ((0.9, SLIDE_COLOURS[0]), (3.0, SLIDE_COLOURS[1]), (5.1, SLIDE_COLOURS[2])):
        shown = frames[round(seconds * 30)].reshape(-1, 3).mean(axis=0)
        assert np.abs(shown - np.array(colour)).max() < 8, (seconds, shown)
    halfway = frames[round(2.1 * 30)].reshape(-1, 3).mean(axis=0)
    expected = (np.array(SLIDE_COLOURS[0]) + np.array(SLIDE_COLOURS[1])) / 2
    assert np.abs(halfway - expected).max() < 12


def test_slideshow_slide_transition_pushes_the_next_picture_in_from_the_right() -> None:
    pictures = [solid(colour) for colour in SLIDE_COLOURS]
    spec = VideoSpec(motion="slideshow", seconds=6, width=320, height=180, transition="slide")
    frames = decode(_render(spec, pictures)[0]).frames
    halfway = frames[round(2.1 * 30)]
    assert np.abs(halfway[:, :140].reshape(-1, 3).mean(axis=0) - SLIDE_COLOURS[0]).max() < 10
    assert np.abs(halfway[:, 180:].reshape(-1, 3).mean(axis=0) - SLIDE_COLOURS[1]).max() < 10


def test_slideshow_captions_are_drawn_on_their_own_picture() -> None:
    pictures = [solid(colour) for colour in SLIDE_COLOURS[:2]]
    spec = VideoSpec(motion="slideshow", seconds=4, width=320, height=180, captions=["Opening day"])
    frames = decode(_render(spec, pictures)[0]).frames
    first, last = frames[15], frames[-1]
    band_first, band_last = first[160:], last[160:]
    assert (band_first.min(axis=2) > 200).sum() > 40  # white letters in the first picture's band
    assert band_first[:, :20, 0].mean() < 170  # the band darkens the red
    assert (band_last.min(axis=2) > 200).sum() == 0  # the second picture has no caption
    assert np.abs(first[:100].reshape(-1, 3).mean(axis=0) - SLIDE_COLOURS[0]).max() < 8


def test_parallax_moves_the_subject_against_its_background() -> None:
    picture = disc_on_backdrop((1280, 720), center=(640, 380), radius=150)
    # A mark close to the backdrop's colour stays in the background (the subject finder leaves it out).
    picture.paste((72, 92, 122), (120, 100, 280, 260))
    spec = VideoSpec(motion="parallax", seconds=2, width=320, height=180, focus="center")
    frames = decode(_render(spec, [picture])[0]).frames
    first, last = frames[0], frames[-1]

    def disc(frame: np.ndarray) -> tuple[float, int]:
        red = (frame[:, :, 0] > 170) & (frame[:, :, 1] < 90)
        xs = np.nonzero(red)[1]
        return float(xs.mean()), int(xs.max() - xs.min())

    def mark_x(frame: np.ndarray) -> float:
        left = frame[:, :120].astype(np.int16)
        dark = np.abs(left - np.array([90, 110, 140])).sum(axis=2) > 25
        return float(np.nonzero(dark)[1].mean())

    disc_first, width_first = disc(first)
    disc_last, width_last = disc(last)
    assert disc_last > disc_first + 3  # the subject drifts right
    assert mark_x(last) < mark_x(first) - 3  # the background drifts left
    assert width_last > width_first * 1.04  # and the subject comes closer


def test_gif_and_webp_loops_last_the_asked_time(block_picture: Image.Image) -> None:
    for fmt, content_type in (("gif", "image/gif"), ("webp", "image/webp")):
        spec = VideoSpec(motion="pan", seconds=2, width=160, height=90, fps=30, format=fmt)
        data, info = _render(spec, [blocks((1600, 400))])
        assert info.content_type == content_type
        with Image.open(io.BytesIO(data)) as loop:
            assert loop.format == fmt.upper()
            assert loop.info.get("loop") == 0
            durations = []
            for index in range(frame_count(loop)):
                loop.seek(index)
                loop.load()
                durations.append(loop.info["duration"])
                assert loop.size == (160, 90)
            assert frame_count(loop) == 60
            assert sum(durations) == 2000


def test_preview_is_the_first_second_at_most_480_wide(block_picture: Image.Image) -> None:
    spec = VideoSpec(motion="zoom_in", seconds=6, width=1280, height=720, fps=30, focus="center")
    out = io.BytesIO()
    info = preview_video(spec, [block_picture], out)
    video = decode(out.getvalue())
    assert (video.width, video.height) == (480, 270)
    assert len(video.frames) == 30
    assert (info.frames, info.seconds) == (30, 1.0)
    # The first second of the six-second zoom has barely moved: it still shows the whole picture.
    whole = np.asarray(block_picture.resize((480, 270), Image.Resampling.BILINEAR))
    assert _diff(video.frames[-1], whole) < 12


def test_progress_counts_frames_up_to_the_last() -> None:
    seen: list[tuple[int, str]] = []
    spec = VideoSpec(motion="wipe", seconds=2, width=160, height=90, fps=24)
    render_video(
        spec, [solid((0, 0, 0)), solid((255, 255, 255))], io.BytesIO(), progress=lambda p, m: seen.append((p, m))
    )
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert seen[-1] == (100, "frame 48 of 48")
    assert len(seen) == 48  # every frame, since 2% of 48 rounds to one


def test_info_keeps_the_first_middle_and_last_frames_for_screening() -> None:
    before, after = solid((220, 40, 40)), solid((40, 60, 220))
    _, info = _render(VideoSpec(motion="wipe", seconds=2, width=160, height=90), [before, after])
    first, middle, last = (np.asarray(frame) for frame in info.screen_frames)
    assert first[:, :, 0].mean() > 200
    assert last[:, :, 2].mean() > 200
    assert middle[:, :70, 2].mean() > 200
    assert middle[:, 90:, 0].mean() > 200
    assert np.array_equal(np.asarray(info.poster_frame), first)


@pytest.mark.parametrize(
    ("spec", "count", "code", "words"),
    [
        (VideoSpec(motion="zoom_in"), 2, "bad_input", "exactly one picture; 2 were given"),
        (VideoSpec(motion="pan"), 0, "bad_input", "exactly one picture; 0 were given"),
        (VideoSpec(motion="wipe"), 1, "bad_input", "exactly 2 pictures (the before and the after); 1 was given"),
        (VideoSpec(motion="slideshow"), 1, "bad_input", "between 2 and 20 pictures; 1 was given"),
        (VideoSpec(motion="slideshow", captions=["a", "b", "c"]), 2, "bad_input", "3 captions were given for 2"),
        (VideoSpec(format="gif", seconds=8), 1, "too_long", "A GIF loop can be at most 6 seconds"),
        (VideoSpec(format="webp", seconds=6.5), 1, "too_long", "A WEBP loop can be at most 6 seconds"),
        (VideoSpec(motion="poster"), 1, "no_design", "needs a poster designed here"),
    ],
)
def test_bad_inputs_raise_a_clear_video_error_and_write_nothing(
    spec: VideoSpec, count: int, code: str, words: str
) -> None:
    out = io.BytesIO()
    with pytest.raises(VideoError) as raised:
        render_video(spec, [solid((10, 10, 10))] * count, out)
    assert raised.value.code == code
    assert words in str(raised.value)
    assert out.getvalue() == b""


def test_a_non_picture_is_refused() -> None:
    with pytest.raises(VideoError, match="Input 1 is not a picture"):
        render_video(VideoSpec(), ["cat.png"], io.BytesIO())  # type: ignore[list-item]
