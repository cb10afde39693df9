"""The social resizer: every format at its exact size, cropped around the subject or padded with a blurred fill."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.tools import ToolError, run_tool
from nanobananas.engine.tools.social_resize import SOCIAL_FORMATS


@pytest.fixture
def wide() -> Image.Image:
    """1600x900: a plain pale backdrop and a red disc (the subject) well right of centre."""
    image = Image.new("RGB", (1600, 900), (225, 228, 232))
    ImageDraw.Draw(image).ellipse((1150, 300, 1450, 600), fill=(200, 30, 30))
    return image


def test_every_format_at_its_exact_size(wide: Image.Image) -> None:
    result = run_tool("social-resize", [wide], {})
    assert len(result.outputs) == len(SOCIAL_FORMATS) >= 10
    assert {output.name: output.image.size for output in result.outputs if output.image} == SOCIAL_FORMATS
    assert result.notes[0] == "11 sizes, cropped around the subject."
    assert result.operation == "resized for 11 social formats"


def test_the_crop_keeps_the_subject(wide: Image.Image) -> None:
    outputs = {output.name: output.image for output in run_tool("social-resize", [wide], {}).outputs}
    for name in ("instagram-story", "pinterest-pin", "instagram-post"):
        image = outputs[name]
        assert image is not None
        pixels = np.asarray(image, dtype=np.int16)
        red = (pixels[..., 0] - pixels[..., 1]) > 100
        _, xs = np.nonzero(red)
        # The whole disc is in the tall crops (it does not touch their sides) though it is far off centre.
        assert xs.min() > 0
        assert xs.max() < image.width - 1
        assert red.mean() > 0.05


def test_pad_shows_the_whole_picture_on_a_blurred_fill(wide: Image.Image) -> None:
    outputs = {output.name: output.image for output in run_tool("social-resize", [wide], {"fit": "pad"}).outputs}
    story = outputs["instagram-story"]
    assert story is not None
    pixels = np.asarray(story, dtype=np.int16)
    # The 1600x900 picture fits 1080 wide: 1080x608, centred, with the fill above and below.
    top = (1920 - 608) // 2
    middle = pixels[top + 10 : top + 598]
    assert (middle[..., 0] - middle[..., 1] > 100).any()
    fill = pixels[: top - 5]
    assert fill.std(axis=(0, 1)).max() < 20
    assert np.abs(fill.mean(axis=(0, 1)) - np.asarray(wide, dtype=np.float32).mean(axis=(0, 1)) * 0.85).max() < 25


def test_a_few_formats_once_each(wide: Image.Image) -> None:
    result = run_tool("social-resize", [wide], {"formats": ["x-header", "youtube-thumbnail", "x-header"]})
    assert [(output.name, output.image.size if output.image else None) for output in result.outputs] == [
        ("x-header", (1500, 500)),
        ("youtube-thumbnail", (1280, 720)),
    ]


def test_a_small_picture_is_said_to_be_enlarged() -> None:
    result = run_tool("social-resize", [Image.new("RGB", (400, 300), (10, 90, 200))], {"formats": ["x-post"]})
    assert (
        result.notes[1]
        == "The picture (400x300) is smaller than x-post, so that version was enlarged and may look soft."
    )


def test_the_preview_is_a_quarter_size(wide: Image.Image) -> None:
    result = run_tool("social-resize", [wide], {"formats": ["instagram-post"]}, preview=True)
    assert result.outputs[0].image is not None
    assert result.outputs[0].image.size == (270, 270)


@pytest.mark.parametrize("params", [{"formats": ["myspace-banner"]}, {"formats": []}, {"fit": "stretch"}])
def test_bad_formats_are_refused(wide: Image.Image, params: dict[str, object]) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("social-resize", [wide], params)
    assert caught.value.code == "bad_parameter"
