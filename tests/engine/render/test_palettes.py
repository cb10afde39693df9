"""Palettes: colour words, moods, subject defaults, and readable ink."""

from __future__ import annotations

import pytest

from nanobananas.engine.render.palettes import (
    COLOUR_WORDS,
    PALETTES,
    choose_palette,
    contrast_ratio,
    hex_colour,
    readable_on,
)


def test_colour_words_build_the_palette() -> None:
    palette = choose_palette(colours=("blue", "gold"), background=None, mood=None, theme="", seed=0)
    assert palette.name == "colours:blue-gold"
    assert palette.background == COLOUR_WORDS["blue"]
    assert palette.accent == COLOUR_WORDS["gold"]
    assert contrast_ratio(palette.ink, palette.background) >= 4.5


def test_a_named_background_colour_is_the_background() -> None:
    palette = choose_palette(colours=("white",), background="black", mood=None, theme="", seed=0)
    assert palette.background == COLOUR_WORDS["black"]
    assert palette.accent == COLOUR_WORDS["white"]


@pytest.mark.parametrize(
    ("mood", "name"),
    [("warm", "warm"), ("pastel", "pastel"), ("bold", "bold"), ("night", "night"), ("elegant", "elegant")],
)
def test_mood_words_pick_their_palette(mood: str, name: str) -> None:
    assert choose_palette(colours=(), background=None, mood=mood, theme="sale", seed=0).name == name


@pytest.mark.parametrize(
    ("theme", "name"),
    [("bakery", "bakery"), ("sale", "sale"), ("birthday", "festive"), ("certificate", "elegant"), ("night", "night")],
)
def test_subjects_have_sensible_default_palettes(theme: str, name: str) -> None:
    assert choose_palette(colours=(), background=None, mood=None, theme=theme, seed=0).name == name


def test_bakery_is_warm_creams_and_browns() -> None:
    bakery = PALETTES["bakery"]
    r, g, b = bakery.background
    assert r > g > b
    assert r > 230
    r, g, b = bakery.surface
    assert r > g > b
    assert r < 140


def test_without_any_hint_the_seed_picks_the_same_palette_every_time() -> None:
    first = choose_palette(colours=(), background=None, mood=None, theme="", seed=12345)
    assert first == choose_palette(colours=(), background=None, mood=None, theme="", seed=12345)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_palette_has_readable_ink_on_its_background(name: str) -> None:
    palette = PALETTES[name]
    assert contrast_ratio(palette.ink, palette.background) >= 4.5


def test_readable_on_falls_back_to_black_or_white() -> None:
    assert readable_on((255, 255, 255), (250, 250, 250)) == (24, 24, 28)
    assert readable_on((10, 10, 10), (20, 20, 20)) == (255, 255, 255)
    assert readable_on((255, 255, 255), (0, 0, 200)) == (0, 0, 200)


def test_colours_are_described_as_hex() -> None:
    assert hex_colour((255, 128, 0)) == "#ff8000"
    assert PALETTES["night"].colours()["background"] == "#101632"
