"""The planner's grammar for one thing: action + object phrase -> recolour, erase, a shape, or an adjustment
inside (or outside) the thing's mask; new content is still refused."""

from __future__ import annotations

from typing import Any

import pytest

from nanobananas.engine.plan import Plan, Refusal
from nanobananas.engine.planner import plan_instruction

Step = tuple[str, dict[str, Any], str | None, bool]


def _steps(text: str) -> list[Step]:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{text!r} gave {outcome!r}"
    return [
        (step.op, step.params, step.region.object if step.region else None, bool(step.region and step.region.exclude))
        for step in outcome.steps
    ]


RED, BLUE, GREEN, PURPLE = "#ff0000", "#0050ff", "#00a000", "#8000a0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the yellow box red", [("recolor", {"object": "the yellow box", "color": RED}, None, False)]),
        ("recolor the object blue", [("recolor", {"object": "the object", "color": BLUE}, None, False)]),
        ("turn the red circle green", [("recolor", {"object": "the red circle", "color": GREEN}, None, False)]),
        (
            "paint the orange rectangle blue",
            [("recolor", {"object": "the orange rectangle", "color": BLUE}, None, False)],
        ),
        (
            "change the colour of the green ball to red",
            [("recolor", {"object": "the green ball", "color": RED}, None, False)],
        ),
        ("make all the red things blue", [("recolor", {"object": "all the red things", "color": BLUE}, None, False)]),
        ("make the product purple", [("recolor", {"object": "the product", "color": PURPLE}, None, False)]),
        (
            "make the red circle and the blue square green",
            [("recolor", {"object": "the red circle and the blue square", "color": GREEN}, None, False)],
        ),
        ("make the sky more purple", [("recolor", {"object": "the sky", "color": PURPLE, "amount": 0.8}, None, False)]),
        ("make the sky a bit bluer", [("recolor", {"object": "the sky", "color": BLUE, "amount": 0.45}, None, False)]),
        ("remove the red circle", [("erase", {"object": "the red circle"}, None, False)]),
        ("delete the yellow square", [("erase", {"object": "the yellow square"}, None, False)]),
        ("erase the yellow block", [("erase", {"object": "the yellow block"}, None, False)]),
        ("remove the red cirle", [("erase", {"object": "the red circle"}, None, False)]),
        ("get rid of the blue car", [("erase", {"object": "the blue car"}, None, False)]),
        ("erase all the white dots from the photo", [("erase", {"object": "all the white dots"}, None, False)]),
        (
            "remove the red circle and the blue square",
            [("erase", {"object": "the red circle and the blue square"}, None, False)],
        ),
        (
            "add a blue star in the bottom left corner",
            [("draw_shape", {"shape": "star", "position": "bottom-left", "color": BLUE}, None, False)],
        ),
        (
            "draw a small red heart at the top right",
            [("draw_shape", {"shape": "heart", "position": "top-right", "color": RED, "size": 0.12}, None, False)],
        ),
        ("put an arrow on the left", [("draw_shape", {"shape": "arrow", "position": "left"}, None, False)]),
        (
            "add a green circle",
            [("draw_shape", {"shape": "circle", "position": "center", "color": GREEN}, None, False)],
        ),
        ("brighten the face", [("brightness", {"amount": 0.25}, "the face", False)]),
        ("make the face brighter", [("brightness", {"amount": 0.25}, "the face", False)]),
        ("fix the white balance", [("white_balance", {}, None, False)]),
        ("blur the red circle", [("blur", {"radius": 4.0}, "the red circle", False)]),
        ("increase the contrast of the sky", [("contrast", {"amount": 0.3}, "the sky", False)]),
        ("make the yellow box black and white", [("grayscale", {}, "the yellow box", False)]),
        ("darken everything except the yellow box", [("brightness", {"amount": -0.2}, "the yellow box", True)]),
        ("blur the background but keep the yellow box sharp", [("blur", {"radius": 8.0}, "the yellow box", True)]),
        (
            "blur the red circle, then sharpen it",
            [("blur", {"radius": 4.0}, "the red circle", False), ("sharpen", {"amount": 1.0}, None, False)],
        ),
    ],
)
def test_object_grammar(text: str, expected: list[Step]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("replace the yellow box with a car", "replacing objects creates new content"),
        ("add a hat", "adding objects creates new content"),
        ("add a car in the bottom left corner", "adding objects creates new content"),
        ("remove the red eye", "finding and erasing an object needs a model to locate it and paint what was behind it"),
        ("make the red circle bigger", "changing one part of the picture needs a model to find that part"),
        ("remove the dog", "finding and erasing an object needs a model to locate it and paint what was behind it"),
        ("make the dog red", "recolouring one object needs a model to find it"),
    ],
)
def test_new_content_and_unfindable_things_are_still_refused(text: str, reason: str) -> None:
    assert plan_instruction(text) == Refusal(reason=reason)


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("blur the faces", "blur_faces"),
        ("remove the background", "remove_background"),
        ("remove the black bars", "trim"),
        ("make the background white", "replace_background"),
    ],
)
def test_requests_that_find_their_own_thing_keep_their_op(text: str, op: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan)
    assert [step.op for step in outcome.steps] == [op]
    assert all(step.region is None for step in outcome.steps)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the circle should be blue", [("recolor", {"object": "the circle", "color": BLUE}, None, False)]),
        ("I want the yellow box to be red", [("recolor", {"object": "the yellow box", "color": RED}, None, False)]),
        ("could the sky be green", [("recolor", {"object": "the sky", "color": GREEN}, None, False)]),
        ("the sky should be darker", [("brightness", {"amount": -0.2}, "the sky", False)]),
        ("make the grass brighter", [("brightness", {"amount": 0.25}, "the grass", False)]),
        ("darken the ground", [("brightness", {"amount": -0.2}, "the ground", False)]),
        ("make the water bluer", [("recolor", {"object": "the water", "color": BLUE, "amount": 0.8}, None, False)]),
        (
            "darken the background but leave the red ball alone",
            [("brightness", {"amount": -0.2}, "the red ball", True)],
        ),
        ("don't make it darker, make it brighter instead", [("brightness", {"amount": 0.25}, None, False)]),
        ("do not blur it, sharpen it", [("sharpen", {"amount": 1.0}, None, False)]),
    ],
)
def test_wishes_landscape_kinds_kept_things_and_negations(text: str, expected: list[Step]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crop to the red car", [("crop_object", {"object": "the red car", "margin": 0.1}, None, False)]),
        ("crop around the face", [("crop_object", {"object": "the face", "margin": 0.1}, None, False)]),
        (
            "crop it tightly to the yellow box",
            [("crop_object", {"object": "the yellow box", "margin": 0.03}, None, False)],
        ),
        (
            "crop to the left half",
            [("crop_box", {"left": 0, "top": 0, "width": 50, "height": 100, "unit": "percent"}, None, False)],
        ),
    ],
)
def test_crop_to_a_thing(text: str, expected: list[Step]) -> None:
    assert _steps(text) == expected
