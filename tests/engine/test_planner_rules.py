"""One phrasing per planner rule, each planned only by that rule: a rule removed fails its line here."""

from __future__ import annotations

from typing import Any

import pytest

from nanobananas.engine.plan import Plan
from nanobananas.engine.planner import plan_instruction
from nanobananas.engine.planner.rules import _RULES

# rule -> a phrasing that no other rule plans the same way, and its exact plan
PHRASINGS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    "_background": ("remove the background", [("remove_background", {})]),
    "_qr": ('add a qr code for "https://example.com"', [("qr_code", {"data": "https://example.com"})]),
    "_watermark": ('add a watermark "DRAFT"', [("watermark", {"text": "DRAFT"})]),
    "_caption_bar": ('add a caption bar saying "Hello"', [("caption_bar", {"text": "Hello", "position": "bottom"})]),
    "_add_text": ('add the text "HELLO" at the top', [("add_text", {"text": "HELLO", "position": "top"})]),
    "_complaint": ("it's blurry, can you fix it", [("sharpen", {"amount": 1.0})]),
    "_round_corners": ("round the corners", [("round_corners", {})]),
    "_polaroid": ("make it look like a polaroid", [("polaroid", {})]),
    "_print_size": (
        "make it 8 by 10 inches at 300 dpi",
        [("print_size", {"width": 8.0, "height": 10.0, "unit": "in", "dpi": 300})],
    ),
    "_pad": ("fit it in a square with black bars", [("pad", {"ratio": "1:1", "color": "black"})]),
    "_trim": ("remove the black bars", [("trim", {})]),
    "_faces": ("blur the faces", [("blur_faces", {})]),
    "_border": ("add a 20 pixel white border", [("border", {"width": 20, "color": "white"})]),
    "_denoise": ("apply noise reduction", [("denoise", {"strength": 12.0})]),
    "_style": ("apply a sepia filter", [("sepia", {})]),
    "_grayscale": ("make it black and white", [("grayscale", {})]),
    "_flip": ("flip horizontally", [("flip", {"direction": "horizontal"})]),
    "_preset": ("make it an instagram story", [("resize_preset", {"preset": "instagram_story"})]),
    "_crop": ("crop to a square", [("crop_aspect", {"ratio": "1:1"})]),
    "_rotate": ("rotate 90 degrees clockwise", [("rotate", {"degrees": 90.0})]),
    "_exposure": ("underexpose it by half a stop", [("exposure", {"stops": -0.5})]),
    "_gamma": ("set the gamma to 1.8", [("gamma", {"gamma": 1.8})]),
    "_temperature": ("make it warmer", [("warmth", {"amount": 0.4})]),
    "_saturation": ("make the colours more vivid", [("saturation", {"amount": 0.4})]),
    "_contrast": ("make it low contrast", [("contrast", {"amount": -0.3})]),
    "_brightness": ("make it brighter", [("brightness", {"amount": 0.25})]),
    "_sharpness": ("sharpen it", [("sharpen", {"amount": 1.0})]),
    "_blur": ("blur the image", [("blur", {"radius": 4.0})]),
    "_resize": ("resize to 320 pixels wide", [("resize", {"width": 320})]),
    "_hdr": ("give it an hdr look", [("auto_enhance", {"strength": 2.0})]),
    "_enhance": ("auto enhance", [("auto_enhance", {})]),
}


def test_every_rule_has_a_phrasing() -> None:
    assert [rule.__name__ for rule in _RULES] == list(PHRASINGS)


@pytest.mark.parametrize(("rule", "text", "expected"), [(rule, *value) for rule, value in PHRASINGS.items()])
def test_the_rules_phrasing(rule: str, text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{rule}: {text!r} gave {outcome!r}"
    assert [(step.op, step.params) for step in outcome.steps] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('add a qr code for "https://example.com/a"', [("qr_code", {"data": "https://example.com/a"})]),
        ("add a qr code for https://example.com/a.", [("qr_code", {"data": "https://example.com/a"})]),
        ('add a caption bar saying "Hello"', [("caption_bar", {"text": "Hello", "position": "bottom"})]),
        ("add a caption saying hello world", [("caption_bar", {"text": "hello world", "position": "bottom"})]),
    ],
)
def test_a_link_or_text_in_quotes_is_taken_whole_and_alone(text: str, expected: list[Any]) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan)
    assert [(step.op, step.params) for step in outcome.steps] == expected
