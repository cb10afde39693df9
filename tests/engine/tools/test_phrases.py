"""Chat phrases that name an AI tool (engine/tools/phrases.py): whole requests match with their parameters."""

from __future__ import annotations

from typing import Any

import pytest

from nanobananas.engine.tools import TOOLS
from nanobananas.engine.tools.phrases import match_tool


@pytest.mark.parametrize(
    ("text", "tool", "params"),
    [
        ("make a passport photo", "id-photo", {}),
        ("US passport photo", "id-photo", {"country": "us"}),
        ("ID photo for Canada", "id-photo", {"country": "ca"}),
        ("please make a UK passport photo", "id-photo", {"country": "uk"}),
        ("turn this photo into an Indian visa photo", "id-photo", {"country": "in"}),
        ("passport photo for china", "id-photo", {"country": "cn"}),
        ("make a Schengen visa photo", "id-photo", {"country": "eu"}),
        ("product photo for amazon", "product-photo", {"preset": "amazon"}),
        ("make it a product photo for Etsy", "product-photo", {"preset": "etsy"}),
        ("product shot on a gradient background", "product-photo", {"preset": "gradient"}),
        ("resize this for all social media", "social-resize", {}),
        ("all the social media sizes please", "social-resize", {}),
        ("compress it to 200 KB", "convert", {"target_kb": 200}),
        ("compress it to 1.5 MB as webp", "convert", {"target_kb": 1536, "format": "webp"}),
        ("shrink the file size to under 300kb", "convert", {"target_kb": 300}),
        ("convert to webp", "convert", {"format": "webp"}),
        ("save it as a PNG", "convert", {"format": "png"}),
        ("convert this image to jpg", "convert", {"format": "jpeg"}),
        ("add a watermark saying (c) Ann", "watermark", {"text": "(c) Ann"}),
        ('add a watermark saying "DRAFT" tiled', "watermark", {"text": "DRAFT", "position": "tiled"}),
        ("add a watermark saying © Ann in the top left corner", "watermark", {"text": "© Ann", "position": "top-left"}),
        (
            "make a meme: top when the tests pass bottom on the first try",
            "meme",
            {"top": "when the tests pass", "bottom": "on the first try"},
        ),
        ('make a meme with top "hello" bottom "world"', "meme", {"top": "hello", "bottom": "world"}),
        ("upscale 4x", "upscale", {"factor": 4}),
        ("upscale it", "upscale", {}),
        ("enlarge this photo by 2x", "upscale", {"factor": 2}),
        ("make it 4 times bigger", "upscale", {"factor": 4}),
        ("restore this old photo", "restore", {}),
        ("fix this old photo please", "restore", {}),
        ("remove the scratches", "restore", {}),
        ("colorize it", "colorize", {}),
        ("colourise this photo", "colorize", {}),
        ("add colour to this black and white photo", "colorize", {}),
        ("enhance it", "enhance", {}),
        ("auto-enhance", "enhance", {}),
        ("remove the background", "remove-background", {}),
        ("Remove the background, please.", "remove-background", {}),
        ("make the background transparent", "remove-background", {}),
        ("replace the background with blue", "replace-background", {"mode": "color", "color": "#0050ff"}),
        ("replace the background with #ff8800", "replace-background", {"mode": "color", "color": "#ff8800"}),
        ("swap the background for a blurred version", "replace-background", {"mode": "blur"}),
        (
            "replace the background with a red to blue gradient",
            "replace-background",
            {"mode": "gradient", "color": "#ff0000", "color2": "#0050ff"},
        ),
        ("make a QR code poster for https://example.org/menu", "qr-poster", {"url": "https://example.org/menu"}),
    ],
)
def test_whole_tool_requests_match_with_their_parameters(text: str, tool: str, params: dict[str, Any]) -> None:
    assert match_tool(text) == (tool, params)
    # The parameters the words give are ones the tool accepts.
    TOOLS[tool].parse_params(params)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a poster for a bakery grand opening",
        "remove the background and make it brighter",
        "make the background blue",
        "now make the background blue",
        "make the background white",
        "blur the background but keep the yellow box sharp",
        "remove the red ball",
        "make it brighter",
        "resize for instagram",
        "restore this old photo and add a title",
        "replace the background with happiness",
        "add a watermark",
        "make a meme",
        "upscale 3x",
        "compress it to 0 KB",
        "what is a passport photo?",
        "x" * 400,
    ],
)
def test_other_requests_are_left_to_the_planner(text: str) -> None:
    assert match_tool(text) is None
