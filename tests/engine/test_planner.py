"""The English planner: exact plans for phrasings, honest refusals, clarifications that never crash."""

from __future__ import annotations

from typing import Any

import pytest

from nanobananas.engine.pipeline import validate_plan
from nanobananas.engine.plan import Clarification, OpCall, Plan, Refusal
from nanobananas.engine.planner import EXAMPLES, PlannerContext, plan_instruction
from nanobananas.engine.planner.amounts import colors_in, intensity, percent_in, position_in
from nanobananas.engine.planner.numbers import replace_number_words
from nanobananas.engine.planner.output import extract_output
from nanobananas.engine.planner.text import normalize


def _steps(text: str) -> list[tuple[str, dict[str, Any]]]:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{text!r} gave {outcome!r}"
    return [(step.op, step.params) for step in outcome.steps]


GRAY = [("grayscale", {})]


@pytest.mark.parametrize(
    "text",
    [
        "make it black and white",
        "convert to grayscale",
        "b&w please",
        "make it monochrome",
        "turn the photo greyscale",
        "make it colourless",
        "remove all the colour",
        "could you please make it black and white?",
        "make it blck and wite",
    ],
)
def test_grayscale_synonyms_spellings_and_typos(text: str) -> None:
    assert _steps(text) == GRAY


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("rotate 90 degrees clockwise", 90),
        ("rotate ninety degrees", 90),
        ("rotate it 90° counter-clockwise", -90),
        ("rotate it left", -90),
        ("turn it to the right", 90),
        ("rotate anticlockwise", -90),
        ("turn it 180 degrees", 180),
        ("spin it upside down", 180),
        ("rotate it a quarter turn", 90),
        ("turn it forty five degrees left", -45),
        ("rotate the image by minus 90 degrees", -90),
        ("rotat 90 degres clockwize", 90),
    ],
)
def test_rotation_numbers_units_and_directions(text: str, degrees: float) -> None:
    assert _steps(text) == [("rotate", {"degrees": degrees})]


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("flip horizontally", "horizontal"),
        ("mirror the image", "horizontal"),
        ("flip it upside down", "vertical"),
    ],
)
def test_flip(text: str, direction: str) -> None:
    assert _steps(text) == [("flip", {"direction": direction})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crop to a square", [("crop_aspect", {"ratio": "1:1"})]),
        ("crop it to 16:9", [("crop_aspect", {"ratio": "16:9"})]),
        ("crop to 3 by 2", [("crop_aspect", {"ratio": "3:2"})]),
        ("make it landscape", [("crop_aspect", {"ratio": "3:2"})]),
        (
            "crop the left half",
            [("crop_box", {"left": 0, "top": 0, "width": 50, "height": 100, "unit": "percent"})],
        ),
        ("make it square without cropping", [("pad", {"ratio": "1:1"})]),
        ("remove the white border", [("trim", {})]),
    ],
)
def test_crops(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("resize to 320 pixels wide", [("resize", {"width": 320})]),
        ("make it 500 px tall", [("resize", {"height": 500})]),
        ("resize to 800x600", [("resize", {"width": 800, "height": 600, "mode": "fill"})]),
        ("resize to fit within 1000x1000", [("resize", {"width": 1000, "height": 1000, "mode": "fit"})]),
        ("make it half the size", [("resize", {"factor": 0.5})]),
        ("make it a quarter of the size", [("resize", {"factor": 0.25})]),
        ("shrink it by 25%", [("resize", {"factor": 0.75})]),
        ("scale it down to 25%", [("resize", {"factor": 0.25})]),
        ("upscale 2x", [("upscale", {"factor": 2.0})]),
        ("make it twice as big", [("upscale", {"factor": 2.0})]),
        ("make it an instagram story", [("resize_preset", {"preset": "instagram_story"})]),
        ("make it a youtube thumbnail", [("resize_preset", {"preset": "youtube_thumbnail"})]),
        ("make a passport photo", [("resize_preset", {"preset": "passport"})]),
    ],
)
def test_sizes(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it brighter", [("brightness", {"amount": 0.25})]),
        ("brighten it a little", [("brightness", {"amount": 0.125})]),
        ("make it much brighter", [("brightness", {"amount": 0.5})]),
        ("increase brightness by 20%", [("brightness", {"amount": 0.2})]),
        ("make it 30% darker", [("brightness", {"amount": -0.3})]),
        ("darken it a bit", [("brightness", {"amount": -0.1})]),
        ("this photo is too dark, fix it", [("exposure", {"stops": 1.0})]),
        ("increase the contrast", [("contrast", {"amount": 0.3})]),
        ("lower the contrast slightly", [("contrast", {"amount": -0.15})]),
        ("reduce contrast by 10 percent", [("contrast", {"amount": -0.1})]),
        ("make the colours more vivid", [("saturation", {"amount": 0.4})]),
        ("desaturate it", [("saturation", {"amount": -0.5})]),
        ("make it warmer", [("warmth", {"amount": 0.4})]),
        ("give it a cooler tone", [("warmth", {"amount": -0.4})]),
        ("warm it up a bit", [("warmth", {"amount": 0.2})]),
        ("fix the white balance", [("white_balance", {})]),
        ("make it look vintage", [("curves", {"preset": "vintage"})]),
        ("apply a sepia filter", [("sepia", {})]),
        ("invert the colors", [("invert", {})]),
        ("posterise it to 3 colours", [("posterize", {"levels": 3})]),
        ("auto enhance", [("auto_enhance", {})]),
    ],
)
def test_tone_amounts_and_directions(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blur the image", [("blur", {"radius": 4.0})]),
        ("apply a gaussian blur of 10 px", [("blur", {"radius": 10.0})]),
        ("blur the background", [("blur", {"radius": 8.0, "background_only": True})]),
        ("sharpen it a lot", [("sharpen", {"amount": 2.0})]),
        ("remove the noise", [("denoise", {"strength": 12.0})]),
        ("pixelate it", [("pixelate", {})]),
        ("pixelate the faces", [("blur_faces", {"style": "pixelate"})]),
        ("add a vignette", [("vignette", {"strength": 0.5})]),
        ("add film grain", [("grain", {"amount": 0.5})]),
        ("turn it into a pencil sketch", [("pencil_sketch", {})]),
        ("turn my selfie into a cartoon", [("cartoon", {})]),
        ("make it look like an oil painting", [("oil_painting", {})]),
        ("watercolour effect", [("watercolor", {})]),
    ],
)
def test_detail_and_style(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add a 20 pixel white border", [("border", {"width": 20, "color": "white"})]),
        ("put a thin black frame around it", [("border", {"width": 6, "color": "black"})]),
        ("add a 5% white border", [("border", {"percent": 5.0, "color": "white"})]),
        ("round the corners", [("round_corners", {})]),
        ("remove the background", [("remove_background", {})]),
        ("make the background white", [("replace_background", {"mode": "color", "color": "white"})]),
        (
            "gradient background from blue to purple",
            [("replace_background", {"mode": "gradient", "color": "blue", "color2": "purple"})],
        ),
        ("add the text 'SUMMER' at the top", [("add_text", {"text": "SUMMER", "position": "top"})]),
        (
            'write "SALE" in big letters in the center',
            [("add_text", {"text": "SALE", "position": "center", "size": "large"})],
        ),
        (
            "add the text Happy New Year at the bottom",
            [("add_text", {"text": "Happy New Year", "position": "bottom"})],
        ),
        ('add a tiled watermark "DRAFT"', [("watermark", {"text": "DRAFT", "tiled": True})]),
        ("add a QR code for https://example.com/Menu", [("qr_code", {"data": "https://example.com/Menu"})]),
        ('caption it "Summer 2024"', [("caption_bar", {"text": "Summer 2024", "position": "bottom"})]),
    ],
)
def test_frames_background_and_text(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


def test_compound_requests_keep_the_stated_order() -> None:
    assert _steps("crop it square, then make it black and white and add a white border") == [
        ("crop_aspect", {"ratio": "1:1"}),
        ("grayscale", {}),
        ("border", {"width": 20, "color": "white"}),
    ]
    assert _steps("make it brighter, then add a 10px red border") == [
        ("brightness", {"amount": 0.25}),
        ("border", {"width": 10, "color": "red"}),
    ]
    assert _steps("increase brightness and contrast") == [
        ("brightness", {"amount": 0.25}),
        ("contrast", {"amount": 0.3}),
    ]


def test_output_wishes_become_the_output_spec() -> None:
    outcome = plan_instruction("make it a small jpeg under 30 KB")
    assert isinstance(outcome, Plan)
    assert outcome.steps == []
    assert outcome.output is not None
    assert (outcome.output.format, outcome.output.max_bytes) == ("jpeg", 30_000)
    outcome = plan_instruction("make it black and white and save as webp at quality 80")
    assert isinstance(outcome, Plan)
    assert outcome.output is not None
    assert [s.op for s in outcome.steps] == ["grayscale"]
    assert (outcome.output.format, outcome.output.quality) == ("webp", 80)


@pytest.mark.parametrize(
    "text",
    [
        "replace the red ball with a cat",
        "replace the dog with a cat",
        "make her smile",
        "make him look older",
        "add birds in the sky",
        "put a hat on him",
        "add a rainbow",
        "remove the person on the left",
        "erase the car",
        "make the sky blue",
        "replace the background with a beach",
        "make it night time",
        "colorize this old photo",
        "smooth her skin",
        "extend the image to the left",
        "turn the cat into a dog",
    ],
)
def test_generative_requests_are_refused(text: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Refusal), f"{text!r} gave {outcome!r}"
    assert outcome.needs == "generative-edit"
    assert outcome.reason


@pytest.mark.parametrize("text", ["make him black and white", "make her brighter", "remove the yellow cast"])
def test_people_words_alone_do_not_trigger_a_refusal(text: str) -> None:
    assert isinstance(plan_instruction(text), Plan)


@pytest.mark.parametrize("text", ["flurbify the zorp", "asdfgh", "", "please", "do the thing", "make it pretty", "!!!"])
def test_unknown_words_give_a_clarification(text: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Clarification)
    assert outcome.question
    assert len(outcome.suggestions) >= 1


def test_clarification_suggests_related_requests() -> None:
    outcome = plan_instruction("make the background sparkle")
    assert isinstance(outcome, Clarification | Refusal)
    outcome = plan_instruction("crop it")
    assert isinstance(outcome, Clarification)
    assert "crop to a square" in outcome.suggestions


def test_again_repeats_the_previous_step_from_context() -> None:
    previous = Plan(steps=[OpCall(op="brightness", params={"amount": 0.25})], planner_version="1")
    outcome = plan_instruction("a bit more", context=PlannerContext(previous_plan=previous))
    assert isinstance(outcome, Plan)
    assert outcome.steps == previous.steps


def test_number_words() -> None:
    assert replace_number_words(["rotate", "one", "hundred", "and", "eighty", "degrees"]) == [
        "rotate",
        "180",
        "degrees",
    ]
    assert replace_number_words(["a", "hundred", "px"]) == ["100", "px"]
    assert replace_number_words(["twenty", "five"]) == ["25"]


def test_normalize_sets_quotes_aside_and_fixes_spelling() -> None:
    normalized = normalize('Could you please add "Grand Opening" to the centre in grey?')
    assert normalized.quotes == ["Grand Opening"]
    assert "center" in normalized.text
    assert "gray" in normalized.text
    assert "please" not in normalized.text


def test_plans_serialize_and_validate_back() -> None:
    outcome = plan_instruction("crop to a square and make it black and white")
    assert isinstance(outcome, Plan)
    assert Plan.model_validate_json(outcome.model_dump_json()) == outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the image smaller, 800px wide", [("resize", {"width": 800})]),
        ("make it glow", [("glow", {"amount": 0.5})]),
        ("emboss it", [("emboss", {})]),
        ("HDR effect", [("auto_enhance", {"strength": 2.0})]),
        ('sign it "Studio North"', [("add_text", {"text": "Studio North", "position": "bottom-right"})]),
        ("frame it in black, 15px", [("border", {"width": 15, "color": "black"})]),
        ("rotate it by 1/4 turn", [("rotate", {"degrees": 90})]),
        ("make it one and a half times bigger", [("upscale", {"factor": 1.5})]),
        ("scale it to three quarters of the size", [("resize", {"factor": 0.75})]),
    ],
)
def test_more_phrasings(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize("text", ["add the date", "put my logo in the corner", "crisp 0px", "save it under 0 kb"])
def test_missing_or_impossible_details_ask_a_question(text: str) -> None:
    assert isinstance(plan_instruction(text), Clarification)


@pytest.mark.parametrize(
    "text", ["make the dog bigger", "make the red circle bigger", "make the car bluer", "make her hair red"]
)
def test_changing_one_part_of_the_picture_is_refused(text: str) -> None:
    assert isinstance(plan_instruction(text), Refusal)


@pytest.mark.parametrize(
    ("word", "kept"), [("lighting", True), ("bluer", True), ("cropped", True), ("brigter", False), ("contast", False)]
)
def test_inflections_are_not_taken_for_typos(word: str, kept: bool) -> None:
    assert (word in normalize(f"make {word}").text.split()) is kept


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_suggested_example_plans_and_validates(example: str) -> None:
    outcome = plan_instruction(example)
    assert isinstance(outcome, Plan), f"{example!r} gave {outcome!r}"
    validate_plan(outcome)


@pytest.mark.parametrize(
    ("clause", "spec", "rest"),
    [
        ("make it a small jpeg under 30 kb", {"format": "jpeg", "max_bytes": 30_000}, ""),
        ("save as webp at quality 80", {"format": "webp", "quality": 80}, ""),
        ("compress it to 1.5 mb", {"quality": 70, "max_bytes": 1_500_000}, ""),
        ("strip the metadata", {"strip_metadata": True}, ""),
        ("make it brighter", {}, "make it brighter"),
    ],
)
def test_output_wishes_are_taken_out_of_the_clause(clause: str, spec: dict[str, Any], rest: str) -> None:
    assert extract_output(clause) == (spec, rest)


def test_amount_words() -> None:
    assert intensity("make it a bit brighter") == 0.5
    assert intensity("make it much brighter") == 2.0
    assert intensity("make it brighter") == 1.0
    assert percent_in("increase it by 30 percent") == 0.3
    assert percent_in("brighten by a third") == 0.3333
    assert colors_in("a light blue to #ff8800 gradient") == ["lightblue", "#ff8800"]
    assert position_in("in the upper left corner") == "top-left"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("put SUMMER at the top", [("add_text", {"text": "SUMMER", "position": "top"})]),
        ("write GRAND OPENING at the bottom", [("add_text", {"text": "GRAND OPENING", "position": "bottom"})]),
        ("ADD A BORDER", [("border", {"width": 20})]),
        ("make it B&W", GRAY),
    ],
)
def test_capitalised_words_are_the_text_to_write(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "fill the empty space with flowers",
        "make the car look new",
        "restore the missing corner",
        "turn him into a zombie",
        "make the lake frozen",
        "give her a smile",
        "put him on a beach",
    ],
)
def test_more_generative_requests_are_refused(text: str) -> None:
    assert isinstance(plan_instruction(text), Refusal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the photo look like it's from the 1920s", [("sepia", {})]),
        ("make it look like the 80s", [("curves", {"preset": "vintage"})]),
    ],
)
def test_decades(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make everything black and white except the red", [("color_splash", {"keep": "red"})]),
        ("tilt shift", [("tilt_shift", {})]),
        ("add a drop shadow on white", [("drop_shadow", {"background": "white"})]),
    ],
)
def test_classic_effects(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


def test_cropping_pixels_uses_the_picture_size_from_context() -> None:
    context = PlannerContext(image_size=(640, 480))
    outcome = plan_instruction("crop 20 px off each side", context=context)
    assert isinstance(outcome, Plan)
    assert outcome.steps == [OpCall(op="crop_box", params={"left": 20, "top": 20, "width": 600, "height": 440})]
    outcome = plan_instruction("trim 50 pixels from the top", context=context)
    assert isinstance(outcome, Plan)
    assert outcome.steps == [OpCall(op="crop_box", params={"left": 0, "top": 50, "width": 640, "height": 430})]
    assert isinstance(plan_instruction("crop 20 px off each side"), Clarification)
    assert isinstance(plan_instruction("crop 400 px off each side", context=context), Clarification)


def test_after_and_before_set_the_order() -> None:
    assert _steps("sharpen it after resizing to 800 wide") == [
        ("resize", {"width": 800}),
        ("sharpen", {"amount": 1.0}),
    ]
    assert _steps("make it brighter before adding a border") == [
        ("brightness", {"amount": 0.25}),
        ("border", {"width": 20}),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it a little smaller", [("resize", {"factor": 0.75})]),
        ("make it much smaller", [("resize", {"factor": 0.25})]),
        ("make it a bit bigger", [("upscale", {"factor": 1.5})]),
    ],
)
def test_size_amount_words(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it 20% sharper", [("sharpen", {"amount": 1.0})]),
        ("make it 30% blurrier", [("blur", {"radius": 4.0})]),
        ("blur radius 6", [("blur", {"radius": 6.0})]),
        ("make it smaller and smoother", [("resize", {"factor": 0.5}), ("blur", {"radius": 4.0})]),
    ],
)
def test_detail_words_win_over_size_words(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make the background black and white", [("replace_background", {"mode": "grayscale"})]),
        ("make the background grey", [("replace_background", {"mode": "color", "color": "gray"})]),
    ],
)
def test_grey_background_versus_black_and_white_background(
    text: str, expected: list[tuple[str, dict[str, Any]]]
) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    "text",
    ["i want a unicorn in the background", "make it look like a photo of Paris", "move the ball to the left"],
)
def test_scenes_and_moving_things_are_refused(text: str) -> None:
    assert isinstance(plan_instruction(text), Refusal)


def test_a_photo_from_a_decade_is_a_look_not_a_scene() -> None:
    assert _steps("make it look like a photo from the 70s") == [("curves", {"preset": "vintage"})]
