"""Background remove and replace, colorize, meme and QR poster: outputs measured, errors exact."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.tools import TOOLS, ToolError, get_tool, run_tool


def test_remove_background_gives_a_transparent_cutout(product: Image.Image) -> None:
    result = run_tool("remove-background", [product], {})
    [output] = result.outputs
    assert output.name == "cutout"
    assert output.image is not None
    assert output.image.mode == "RGBA"
    alpha = np.asarray(output.image.getchannel("A"))
    assert alpha[240, 200] == 255  # the box
    assert alpha[20, 20] == 0  # the backdrop
    assert "no segmentation model" in result.notes[0]
    assert result.operation == "background removed"


@pytest.mark.parametrize(
    ("params", "corner"),
    [({"color": "#2050c0"}, (32, 80, 192)), ({"mode": "gradient", "color": "black", "color2": "white"}, (0, 0, 0))],
)
def test_replace_background_with_a_colour_or_gradient(
    product: Image.Image, params: dict[str, str], corner: tuple[int, int, int]
) -> None:
    image = run_tool("replace-background", [product], params).outputs[0].image
    assert image is not None
    pixels = np.asarray(image, dtype=np.int16)
    assert np.abs(pixels[0, 0] - corner).max() <= 2
    assert np.abs(pixels[240, 200] - (150, 20, 30)).max() <= 2


def test_replace_background_with_a_picture_of_your_own(product: Image.Image) -> None:
    beach = Image.new("RGB", (900, 900), (240, 200, 120))
    image = run_tool("replace-background", [product, beach], {"mode": "image"}).outputs[0].image
    assert image is not None
    assert image.size == product.size
    pixels = np.asarray(image, dtype=np.int16)
    assert np.abs(pixels[10, 10] - (240, 200, 120)).max() <= 2
    assert np.abs(pixels[240, 200] - (150, 20, 30)).max() <= 2


def test_replace_background_checks_the_second_picture(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("replace-background", [product], {"mode": "image"})
    assert caught.value.code == "bad_input"
    assert str(caught.value) == "the picture background needs a second image: upload the new background"
    with pytest.raises(ToolError) as caught:
        run_tool("replace-background", [product, product], {"mode": "blur"})
    assert caught.value.code == "bad_input"


def test_replace_background_refuses_a_colour_it_cannot_read(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("replace-background", [product], {"color": "sparkly"})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "color")


def test_colorize_needs_a_provider_and_says_what_it_would_ask(photo: Image.Image) -> None:
    tool = get_tool("colorize")
    with pytest.raises(ToolError) as caught:
        run_tool("colorize", [photo.convert("L")], {"hint": "the car was red"})
    assert caught.value.code == "needs_generative_provider"
    assert "needs a generative AI provider" in str(caught.value)
    prompt = tool.prompt(tool.parse_params({"hint": "the car was red"}))
    assert prompt.startswith("Colorize this black-and-white photograph")
    assert prompt.endswith("Known colours: the car was red.")
    assert "change only the colours" in tool.prompt(tool.parse_params({}))


def test_only_a_generative_tool_has_a_prompt() -> None:
    tool = TOOLS["upscale"]
    with pytest.raises(ToolError) as caught:
        tool.prompt(tool.parse_params({}))
    assert caught.value.code == "bad_input"


def test_meme_captions_sit_at_the_top_and_bottom_in_white_with_a_black_outline(photo: Image.Image) -> None:
    result = run_tool("meme", [photo], {"top": "when the build is green", "bottom": "on the first try"})
    image = result.outputs[0].image
    assert image is not None
    assert image.size == photo.size
    changed = np.abs(np.asarray(image, dtype=np.int16) - np.asarray(photo, dtype=np.int16)).sum(axis=2) > 30
    rows = np.flatnonzero(changed.any(axis=1))
    # Two bands of text: one in the top quarter, one in the bottom quarter, nothing in the middle.
    assert rows.min() < photo.height * 0.1
    assert rows.max() > photo.height * 0.9
    assert not changed[round(photo.height * 0.35) : round(photo.height * 0.65)].any()
    pixels = np.asarray(image)
    white = (pixels >= 250).all(axis=2) & changed
    black = (pixels <= 5).all(axis=2) & changed
    assert white.sum() > 500
    assert black.sum() > 500
    # The caption fits the width: 3% margins at least stay clear.
    columns = np.flatnonzero(changed.any(axis=0))
    assert columns.min() >= photo.width * 0.02
    assert columns.max() <= photo.width * 0.98


def test_a_meme_needs_a_caption(photo: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("meme", [photo], {"top": "  "})
    assert caught.value.code == "bad_parameter"
    assert "give a top or a bottom caption" in str(caught.value)


def test_the_qr_poster_scans_back_to_its_link() -> None:
    import cv2

    url = "https://bakery.example/opening?from=poster"
    result = run_tool("qr-poster", [], {"url": url, "title": "Grand opening", "caption": "Free croissant"})
    poster = result.outputs[0].image
    assert poster is not None
    assert poster.size == (1240, 1754)
    assert poster.info["dpi"] == (150, 150)
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(np.asarray(poster.convert("RGB")))
    assert decoded == url
    assert result.notes == [f"An A4 poster at 150 dpi; the code opens {url}."]


def test_the_qr_poster_shows_a_picture_when_given_one(photo: Image.Image) -> None:
    import cv2

    result = run_tool("qr-poster", [photo], {"url": "hello", "size": "square"})
    poster = result.outputs[0].image
    assert poster is not None
    assert poster.size == (1500, 1500)
    pixels = np.asarray(poster, dtype=np.int16)
    assert ((pixels[..., 0] - pixels[..., 1]) > 120).sum() > 1000  # the red disc of the photo
    assert cv2.QRCodeDetector().detectAndDecode(np.asarray(poster))[0] == "hello"


def test_the_qr_poster_refuses_ink_too_light_to_scan() -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("qr-poster", [], {"url": "x", "ink": "#dddddd"})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "ink")
