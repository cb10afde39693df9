"""Complaints about the picture are planned as the fix, never as more of the problem; typos stay typos."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nanobananas.engine.plan import Plan
from nanobananas.engine.planner import plan_instruction
from nanobananas.engine.planner.complaints import complaint_fix
from nanobananas.engine.planner.text import correct_word, normalize


def _steps(text: str) -> list[tuple[str, dict[str, Any]]]:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{text!r} gave {outcome!r}"
    return [(step.op, step.params) for step in outcome.steps]


SHARPEN = [("sharpen", {"amount": 1.0})]
DENOISE = [("denoise", {"strength": 12.0})]
LIGHTEN = [("exposure", {"stops": 1.0})]
DARKEN = [("exposure", {"stops": -0.7})]
LIVEN = [("auto_enhance", {})]
LESS_CONTRAST = [("contrast", {"amount": -0.25})]
MORE_CONTRAST = [("contrast", {"amount": 0.3})]
MUTE = [("saturation", {"amount": -0.35})]
ENRICH = [("saturation", {"amount": 0.4})]
WARM = [("warmth", {"amount": 0.4})]
COOL = [("warmth", {"amount": -0.4})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # blur: the grammar of a complaint, not one sentence
        ("it's blurry, can you fix it", SHARPEN),
        ("the picture is soft", SHARPEN),
        ("the photo looks soft", SHARPEN),
        ("it's out of focus, please fix", SHARPEN),
        ("out of focus", SHARPEN),
        ("blurry photo", SHARPEN),
        ("it's kind of blurry", SHARPEN),
        ("this came out fuzzy", SHARPEN),
        ("the image seems unfocused", SHARPEN),
        ("it's a bit soft", [("sharpen", {"amount": 0.5})]),
        ("it is way too blurry", [("sharpen", {"amount": 2.0})]),
        # noise
        ("too grainy", DENOISE),
        ("it's grainy", DENOISE),
        ("this image is too noisy", DENOISE),
        ("it's pixelated, fix it", DENOISE),
        # too dark / too bright
        ("too dark", LIGHTEN),
        ("it's a bit dark", [("exposure", {"stops": 0.5})]),
        ("way too dark", [("exposure", {"stops": 1.5})]),
        ("the photo looks dim", LIGHTEN),
        ("it was underexposed", LIGHTEN),
        ("it's not bright enough", LIGHTEN),
        ("too bright", DARKEN),
        ("the photo is overexposed", DARKEN),
        ("the sky looks blown out", DARKEN),
        ("it's a little too light", [("exposure", {"stops": -0.35})]),
        # dull, flat, washed out
        ("dull", LIVEN),
        ("it looks dull", LIVEN),
        ("the picture looks washed out", LIVEN),
        ("it is too flat", LIVEN),
        ("it seems lifeless", LIVEN),
        # contrast
        ("too much contrast", LESS_CONTRAST),
        ("the contrast is too high", LESS_CONTRAST),
        ("it looks harsh", LESS_CONTRAST),
        ("it's too contrasty", LESS_CONTRAST),
        ("it's low contrast", MORE_CONTRAST),
        ("the colours look low contrast", MORE_CONTRAST),
        ("not enough contrast", MORE_CONTRAST),
        ("it lacks contrast", MORE_CONTRAST),
        ("the contrast is too low", MORE_CONTRAST),
        # colour
        ("too saturated", MUTE),
        ("the colors are too intense", MUTE),
        ("the colours look garish", MUTE),
        ("there is too much color", MUTE),
        ("not enough colour", ENRICH),
        ("it's too blue", WARM),
        ("way too cold", [("warmth", {"amount": 0.8})]),
        ("too much blue", WARM),
        ("it is too yellow", COOL),
        ("there's too much yellow", COOL),
        ("not enough warmth", WARM),
        ("it looks too green", [("tint", {"amount": 0.3})]),
        ("too much green", [("tint", {"amount": 0.3})]),
        ("it's too pink", [("tint", {"amount": -0.3})]),
        ("too much magenta", [("tint", {"amount": -0.3})]),
        # light and shadows as quantities
        ("there is too much light", DARKEN),
        ("the exposure is too low", LIGHTEN),
        ("too much darkness", [("gamma", {"gamma": 1.3})]),
        # sharpness
        ("it's oversharpened", [("blur", {"radius": 1.0})]),
        ("it's too sharp", [("blur", {"radius": 1.0})]),
        ("too much sharpening", [("blur", {"radius": 1.0})]),
        ("not enough detail", SHARPEN),
        ("the sharpness is too low", SHARPEN),
        # naming the problem to fix
        ("fix the blur", SHARPEN),
        ("can you fix the softness", SHARPEN),
        ("get rid of the graininess", DENOISE),
        ("can you deal with the graininess", DENOISE),
        ("there is noise everywhere", DENOISE),
        ("the picture is full of grain", DENOISE),
        ("there's some grain", DENOISE),
        ("the focus is off", SHARPEN),
        ("i can barely see anything", [("exposure", {"stops": 0.5})]),
        ("correct the underexposure", LIGHTEN),
        ("fix the glare", DARKEN),
        ("remove the haze", LIVEN),
        ("reduce the harshness", LESS_CONTRAST),
        ("make it not so dark", LIGHTEN),
        ("it's too punchy", LESS_CONTRAST),
        ("there's a lot of grain in this", DENOISE),
        ("there is too much blur", SHARPEN),
        ("the brightness is too high", DARKEN),
        ("the warmth is too strong", COOL),
        ("there is a lot of blue in it", WARM),
        ("it has a lot of green", [("tint", {"amount": 0.3})]),
        ("there's a lot of magenta", [("tint", {"amount": -0.3})]),
        ("why is it so blurry", [("sharpen", {"amount": 2.0})]),
        ("the colors are too strong", MUTE),
        ("the contrast is way too strong", [("contrast", {"amount": -0.5})]),
        ("this photo is too dark, fix it", LIGHTEN),
    ],
)
def test_a_complaint_plans_the_fix(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it blurry", [("blur", {"radius": 4.0})]),
        ("make it low contrast", [("contrast", {"amount": -0.3})]),
        ("make it look soft", [("blur", {"radius": 4.0})]),
        ("soften it", [("blur", {"radius": 4.0})]),
        ("make it darker", [("brightness", {"amount": -0.2})]),
        ("add film grain", [("grain", {"amount": 0.5})]),
        ("make the colours more vivid", [("saturation", {"amount": 0.4})]),
        ("make it warmer", [("warmth", {"amount": 0.4})]),
        ("pixelate it", [("pixelate", {})]),
    ],
)
def test_a_request_for_the_look_is_no_complaint(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize("text", ["do not make it too dark", "make it blurry", "increase the contrast", "crop it"])
def test_requests_and_constraints_are_not_read_as_complaints(text: str) -> None:
    assert complaint_fix(normalize(text).text) is None


@pytest.mark.parametrize(
    ("word", "not_into"),
    [("soft", "softer"), ("drain", "drawing"), ("plain", "paint"), ("sight", "slight"), ("drawn", "drain")],
)
def test_the_typo_fixer_never_turns_a_word_into_another_request_word(word: str, not_into: str) -> None:
    assert correct_word(word) in (None, word)
    assert not_into not in normalize(f"the picture is {word}").text.split()


@pytest.mark.parametrize(("typo", "word"), [("blury", "blurry"), ("contast", "contrast"), ("grayscael", "grayscale")])
def test_one_slip_is_still_corrected(typo: str, word: str) -> None:
    assert correct_word(typo) == word


def test_draining_the_colour_is_black_and_white_not_a_drawing() -> None:
    assert _steps("drain the colour") == [("grayscale", {})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's too dark, brighten it", [("brightness", {"amount": 0.25})]),
        ("this looks fuzzy, sharpen it up", SHARPEN),
        ("it's too grainy, remove the noise", DENOISE),
        ("it's too dark, add a red border", [*LIGHTEN, ("border", {"width": 20, "color": "red"})]),
        ("fix it, it's blurry", SHARPEN),
        ("I can barely see anything, it's too dark", LIGHTEN),
        ("the photo is too soft and too dark", [*SHARPEN, *LIGHTEN]),
    ],
)
def test_a_complaint_followed_by_its_fix_is_fixed_once(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("brighten it but not too much", [("brightness", {"amount": 0.125})]),
        ("make it brighter, but not too much", [("brightness", {"amount": 0.125})]),
        ("increase the contrast, not by much", [("contrast", {"amount": 0.15})]),
    ],
)
def test_not_too_much_is_a_small_amount(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert _steps(text) == expected


@pytest.mark.parametrize(("word", "not_into"), [("strong", "strongly"), ("soft", "softer")])
def test_a_word_is_never_grown_into_a_longer_request_word(word: str, not_into: str) -> None:
    assert correct_word(word) != not_into


def _grammar_words() -> set[str]:
    """Every word the complaint and area grammars look for (4 letters or more)."""
    from nanobananas.engine.planner import areas, complaints

    patterns = [pattern.pattern for pattern, _ in (*complaints._FORMS, *complaints._QUANTITY_FORMS)]
    patterns += [pattern.pattern for pattern, _ in complaints._FIX_FORMS]
    patterns += [areas._AREA.pattern, areas._EXCEPT.pattern, areas._KEEP.pattern, areas._SHARED_NOUN.pattern]
    return {word for pattern in patterns for word in re.findall(r"(?<![\\a-z])[a-z]{4,}(?![a-z])", pattern)}


def test_the_typo_fixer_leaves_every_word_the_grammar_looks_for() -> None:
    words = _grammar_words()
    assert {"blurry", "soft", "grainy", "washed", "quadrant", "band", "shadowy"} <= words
    assert {word: correct_word(word) for word in words if correct_word(word) not in (None, word)} == {}
