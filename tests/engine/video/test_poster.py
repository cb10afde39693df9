"""Animated poster: rebuilt from a generated poster's stored plan, text entering line by line, drawn crisp."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps
from tests.engine.video.conftest import decode

from nanobananas.engine.render import render_design
from nanobananas.engine.video import VideoError, VideoSpec, render_video
from nanobananas.engine.video.poster import AnimatedPoster, rebuild_poster

PROMPT = "a poster for a jazz night at the blue note, friday 9pm"


@pytest.fixture(scope="module")
def poster() -> tuple[Image.Image, dict[str, object]]:
    design = render_design(PROMPT)
    return design.image, design.spec.model_dump(mode="json")


def test_the_plan_rebuilds_the_stored_picture_exactly(poster: tuple[Image.Image, dict[str, object]]) -> None:
    image, plan = poster
    rebuilt = rebuild_poster(plan, image)
    assert np.array_equal(np.asarray(rebuilt.with_text()), np.asarray(image))
    texts = [" ".join(piece.text for piece in group) for group in rebuilt.groups]
    assert texts[0] == "Jazz Night"
    # The background has no text: where the title is inked, it differs from the poster.
    assert not np.array_equal(np.asarray(rebuilt.background), np.asarray(image))


@pytest.mark.parametrize(
    ("prompt", "first_group", "badge"),
    [
        # The age is drawn in a badge and said again in the subtitle ("Turning 7").
        ("birthday party invitation for Mia turning 7, June 3rd at 2pm", "7", True),
        # The items are set as a price list, and listed in the plan after the details as "name price".
        ("a menu for my bakery", "Bakery", False),
        # Details that read like items ("Pepperoni 11") come before the items: every split is tried.
        ("a menu for a pizza place: margherita 9.50, pepperoni 11, calzone 12.25", "Pizza Place", False),
    ],
)
def test_menus_and_party_invitations_rebuild_exactly_from_the_plan_alone(
    prompt: str, first_group: str, badge: bool
) -> None:
    design = render_design(prompt)
    plan = design.spec.model_dump(mode="json")
    assert "prompt" not in plan
    rebuilt = rebuild_poster(plan, design.image)
    assert np.array_equal(np.asarray(rebuilt.with_text()), np.asarray(design.image))
    assert " ".join(piece.text for piece in rebuilt.groups[0]) == first_group
    assert (plan["layout"] == "party") is badge


def test_a_party_poster_whose_age_is_only_in_its_badge_needs_the_prompt() -> None:
    # A poster (not a card or an invitation) says the age nowhere in its words: only the badge's pixels hold it.
    prompt = "a birthday poster for Max turning 18"
    design = render_design(prompt)
    plan = design.spec.model_dump(mode="json")
    assert (plan["layout"], plan["subtitle"], plan["details"]) == ("party", "", [])
    with pytest.raises(VideoError) as raised:
        rebuild_poster(plan, design.image)
    assert raised.value.code == "no_design"
    rebuilt = rebuild_poster({**plan, "prompt": prompt}, design.image)
    assert np.array_equal(np.asarray(rebuilt.with_text()), np.asarray(design.image))


def test_lines_enter_in_sequence_and_the_last_frame_is_the_poster(
    poster: tuple[Image.Image, dict[str, object]],
) -> None:
    image, plan = poster
    spec = VideoSpec(motion="poster", seconds=4, width=640, height=360, fps=24)
    out = io.BytesIO()
    info = render_video(spec, [image], out, design=plan)
    video = decode(out.getvalue())
    assert (video.codec, video.pix_fmt, video.width, video.height, len(video.frames)) == (
        "h264",
        "yuv420p",
        640,
        360,
        96,
    )
    scene = AnimatedPoster(image, spec, (640, 360), plan)
    k, (ox, oy) = scene.scale, scene.offset
    # The poster is shown whole (contain), centred: 1414x2000 at 0.18 is 255x360.
    assert k == pytest.approx(0.18)
    width = round(image.width * k)
    assert width == 255
    title = scene.groups[0]
    left = round(ox + min(p.x for p in title) * k)
    top = round(oy + min(p.y for p in title) * k)
    box = (slice(top, top + 40), slice(left, left + 100))
    first, last = video.frames[0], video.frames[-1]
    shown = np.asarray(image.resize((width, 360), Image.Resampling.LANCZOS))
    assert np.abs(last[:, round(ox) : round(ox) + width].astype(int) - shown.astype(int)).mean() < 6
    assert np.abs(first[box].astype(int) - last[box].astype(int)).mean() > 25
    # Each line starts later than the one before and all have arrived by two thirds of the clip.
    assert scene.starts == sorted(scene.starts)
    assert len(set(scene.starts)) == len(scene.starts)
    assert scene.settled <= 0.65 * spec.seconds + 1e-9
    assert np.array_equal(np.asarray(info.poster_frame), scene.frame(spec.seconds))


def test_text_is_drawn_with_glyphs_at_the_video_scale(poster: tuple[Image.Image, dict[str, object]]) -> None:
    image, plan = poster
    spec = VideoSpec(motion="poster", seconds=4, width=1280, height=720)
    scene = AnimatedPoster(image, spec, (1280, 720), plan)
    final = scene.frame(spec.seconds).astype(int)
    bitmap = np.asarray(image.resize((509, 720), Image.Resampling.BILINEAR)).astype(int)
    ox = round(scene.offset[0])
    # Same picture, but the letters' edges are sharper than a bilinear scaling of the poster's pixels.
    area = final[:, ox : ox + 509]
    assert np.abs(area - bitmap).mean() < 8
    assert np.abs(np.diff(area, axis=1)).mean() > np.abs(np.diff(bitmap, axis=1)).mean()


def test_a_picture_changed_after_it_was_made_is_refused(poster: tuple[Image.Image, dict[str, object]]) -> None:
    image, plan = poster
    with pytest.raises(VideoError) as raised:
        render_video(VideoSpec(motion="poster", seconds=2), [ImageOps.mirror(image)], io.BytesIO(), design=plan)
    assert raised.value.code == "no_design"
    assert "could not be rebuilt" in str(raised.value)


@pytest.mark.parametrize(
    "design", [{}, {"title": "x"}, {"size": [10, 10], "seed": 1, "layout": "nope", "colors": {}, "title": ""}]
)
def test_a_plan_that_is_not_a_poster_layout_is_refused(design: dict[str, object]) -> None:
    with pytest.raises(VideoError) as raised:
        render_video(VideoSpec(motion="poster", seconds=2), [Image.new("RGB", (64, 64))], io.BytesIO(), design=design)
    assert raised.value.code == "no_design"
