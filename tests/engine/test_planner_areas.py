"""Areas by position in the planner's grammar: the adjustment, and the exact region it applies to."""

from __future__ import annotations

from typing import Any

import pytest

from nanobananas.engine.plan import Clarification, Plan, Refusal
from nanobananas.engine.planner import plan_instruction
from nanobananas.engine.planner.areas import find_area

Step = tuple[str, dict[str, Any], list[tuple[float, float, float, float]] | None, bool]


def _steps(text: str) -> list[Step]:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{text!r} gave {outcome!r}"
    return [
        (step.op, step.params, step.region.boxes if step.region else None, bool(step.region and step.region.exclude))
        for step in outcome.steps
    ]


TOP_HALF = [(0.0, 0.0, 1.0, 0.5)]
THIRD = 0.3333


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("darken the top half", [("brightness", {"amount": -0.2}, TOP_HALF, False)]),
        ("make the top half darker", [("brightness", {"amount": -0.2}, TOP_HALF, False)]),
        ("make the upper half a bit darker", [("brightness", {"amount": -0.1}, TOP_HALF, False)]),
        ("brighten the left third", [("brightness", {"amount": 0.25}, [(0.0, 0.0, THIRD, 1.0)], False)]),
        ("brighten the right 2 thirds", [("brightness", {"amount": 0.25}, [(THIRD, 0.0, 1.0, 1.0)], False)]),
        ("blur the bottom right corner", [("blur", {"radius": 4.0}, [(0.6667, 0.6667, 1.0, 1.0)], False)]),
        ("pixelate the top left quarter", [("pixelate", {}, [(0.0, 0.0, 0.5, 0.5)], False)]),
        ("make the middle black and white", [("grayscale", {}, [(0.25, 0.25, 0.75, 0.75)], False)]),
        ("sharpen only the centre", [("sharpen", {"amount": 1.0}, [(0.25, 0.25, 0.75, 0.75)], False)]),
        ("make the top 20% brighter", [("brightness", {"amount": 0.25}, [(0.0, 0.0, 1.0, 0.2)], False)]),
        ("apply a sepia filter to the right half", [("sepia", {}, [(0.5, 0.0, 1.0, 1.0)], False)]),
        ("make the left side more saturated", [("saturation", {"amount": 0.4}, [(0.0, 0.0, 0.5, 1.0)], False)]),
        ("increase the contrast in the bottom half", [("contrast", {"amount": 0.3}, [(0.0, 0.5, 1.0, 1.0)], False)]),
        ("the top half is too dark", [("exposure", {"stops": 1.0}, TOP_HALF, False)]),
        ("make everything except the top half black and white", [("grayscale", {}, TOP_HALF, True)]),
        ("blur everything but the bottom third", [("blur", {"radius": 4.0}, [(0.0, 0.6667, 1.0, 1.0)], True)]),
        ("darken it but leave the top half alone", [("brightness", {"amount": -0.2}, TOP_HALF, True)]),
        ("make it black and white apart from the middle", [("grayscale", {}, [(0.25, 0.25, 0.75, 0.75)], True)]),
        ("make the top of the picture darker", [("brightness", {"amount": -0.2}, TOP_HALF, False)]),
        ("blur the upper left quadrant", [("blur", {"radius": 4.0}, [(0.0, 0.0, 0.5, 0.5)], False)]),
        ("darken the top-left corner", [("brightness", {"amount": -0.2}, [(0.0, 0.0, THIRD, THIRD)], False)]),
        ("brighten the left-hand side", [("brightness", {"amount": 0.25}, [(0.0, 0.0, 0.5, 1.0)], False)]),
        ("darken the top fifth", [("brightness", {"amount": -0.2}, [(0.0, 0.0, 1.0, 0.2)], False)]),
        ("sharpen the central area", [("sharpen", {"amount": 1.0}, [(0.25, 0.25, 0.75, 0.75)], False)]),
        ("brighten the bottom 10%", [("brightness", {"amount": 0.25}, [(0.0, 0.9, 1.0, 1.0)], False)]),
        (
            "desaturate everything outside the middle",
            [("saturation", {"amount": -0.5}, [(0.25, 0.25, 0.75, 0.75)], True)],
        ),
        # an area named in its own clause, before or after the adjustment
        ("in the top half, increase the contrast", [("contrast", {"amount": 0.3}, TOP_HALF, False)]),
        ("increase the contrast, only in the top half", [("contrast", {"amount": 0.3}, TOP_HALF, False)]),
        ("keep the middle as it is and blur the rest", [("blur", {"radius": 4.0}, [(0.25, 0.25, 0.75, 0.75)], True)]),
        # several areas in one phrase
        (
            "blur the top left and bottom right corners",
            [("blur", {"radius": 4.0}, [(0.0, 0.0, THIRD, THIRD), (0.6667, 0.6667, 1.0, 1.0)], False)],
        ),
        (
            "blur the top and bottom thirds",
            [("blur", {"radius": 4.0}, [(0.0, 0.0, 1.0, THIRD), (0.0, 0.6667, 1.0, 1.0)], False)],
        ),
        (
            "darken the top half and the bottom third",
            [("brightness", {"amount": -0.2}, [(0.0, 0.0, 1.0, 0.5), (0.0, 0.6667, 1.0, 1.0)], False)],
        ),
    ],
)
def test_an_adjustment_in_an_area(text: str, expected: list[Step]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crop the left half", [("crop_box", {"left": 0, "top": 0, "width": 50, "height": 100, "unit": "percent"})]),
        ('add the text "SALE" in the center', [("add_text", {"text": "SALE", "position": "center"})]),
        ("darken the corners", [("vignette", {"strength": 0.5})]),
    ],
)
def test_a_position_that_belongs_to_the_op_is_not_an_area(text: str, expected: list[Any]) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan)
    assert [(step.op, step.params) for step in outcome.steps] == expected
    assert all(step.region is None for step in outcome.steps)


@pytest.mark.parametrize(
    "text",
    ["flip the top half", "rotate the left half", "add a border to the bottom half", "in the top half, rotate it"],
)
def test_an_op_that_changes_the_whole_canvas_asks_instead_of_changing_everything(text: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Clarification)
    assert "only the whole picture, not one area" in outcome.question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fit it in a square with black bars, no cropping", [("pad", {"ratio": "1:1", "color": "black"})]),
        ("fit it in a square with black bars", [("pad", {"ratio": "1:1", "color": "black"})]),
        ("fit it into 16:9 with white bars", [("pad", {"ratio": "16:9", "color": "white"})]),
        ("crop it to a square, no cropping", [("pad", {"ratio": "1:1"})]),
        ("make it square, don't crop it", [("pad", {"ratio": "1:1"})]),
        ("remove the black bars", [("trim", {})]),
        ("pad it to a square with a white background", [("pad", {"ratio": "1:1", "color": "white"})]),
        ("fit within 1000x1000", [("resize", {"width": 1000, "height": 1000, "mode": "fit"})]),
    ],
)
def test_fitting_pads_with_the_named_colour_and_never_crops(text: str, expected: list[Any]) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), outcome
    assert [(step.op, step.params) for step in outcome.steps] == expected


@pytest.mark.parametrize("text", ["darken it", "add a red border", "rotate it to the left", "make it brighter"])
def test_no_area_named(text: str) -> None:
    assert find_area(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crop the left half and rotate it", ["crop_box", "rotate"]),
        ("blur the top half and darken the bottom half", ["blur", "brightness"]),
    ],
)
def test_and_still_joins_two_requests(text: str, expected: list[str]) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan)
    assert [step.op for step in outcome.steps] == expected


@pytest.mark.parametrize(
    "text",
    [
        "add a qr code linking to www.example.com/page?x=1, in the bottom left",
        "in the bottom left, add a qr code for www.example.com/page?x=1",
    ],
)
def test_a_place_in_its_own_clause_is_the_place_of_a_mark(text: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan)
    assert [(step.op, step.params, step.region) for step in outcome.steps] == [
        ("qr_code", {"data": "www.example.com/page?x=1", "position": "bottom-left"}, None)
    ]


@pytest.mark.parametrize("text", ["make the top button bigger", "make the left dog brighter"])
def test_a_thing_at_a_position_is_no_area(text: str) -> None:
    assert isinstance(plan_instruction(text), Refusal)
