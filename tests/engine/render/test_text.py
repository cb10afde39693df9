"""Text fitting: wrapping, shrinking, ellipsis, and ink that never leaves its bounds."""

from __future__ import annotations

from itertools import pairwise

from PIL import Image, ImageDraw

from nanobananas.engine.render.fonts import load_font
from nanobananas.engine.render.text import ELLIPSIS, draw_fitted, fit_text, wrap_words

FACE = "Roboto Black"
LONG_TITLE = ("A very long event title that keeps going " * 6)[:200]


def test_wrap_breaks_between_words_and_fills_each_line() -> None:
    font = load_font(FACE, 40)
    lines = wrap_words("one two three four five six", FACE, 40, 200)
    assert " ".join(lines) == "one two three four five six"
    assert all(font.getlength(line) <= 200 for line in lines)
    for line, following in pairwise(lines):
        assert font.getlength(f"{line} {following.split()[0]}") > 200


def test_a_word_wider_than_the_line_is_broken_between_letters() -> None:
    lines = wrap_words("Supercalifragilistic", FACE, 40, 150)
    assert "".join(lines) == "Supercalifragilistic"
    assert len(lines) > 1


def test_fit_picks_the_largest_size_that_fits() -> None:
    fitted = fit_text("SALE", FACE, max_width=400, max_height=400, max_size=1000)
    assert fitted.lines == ("SALE",)
    assert fitted.width <= 400
    assert load_font(FACE, fitted.size + 1).getlength("SALE") > 400


def test_fit_never_splits_a_word_that_fits_on_its_own() -> None:
    fitted = fit_text("SUMMER SALE", FACE, max_width=800, max_height=800, max_size=400)
    assert fitted.lines == ("SUMMER", "SALE")


def test_a_200_character_title_shrinks_to_fit_its_box() -> None:
    fitted = fit_text(LONG_TITLE, FACE, max_width=900, max_height=500, max_size=200, min_size=12)
    assert fitted.width <= 900
    assert fitted.height <= 500
    assert " ".join(fitted.lines) == LONG_TITLE.strip()
    assert fitted.size < 200


def test_text_that_cannot_fit_even_at_the_smallest_size_ends_in_an_ellipsis() -> None:
    fitted = fit_text(LONG_TITLE, FACE, max_width=300, max_height=60, max_size=80, min_size=20)
    assert fitted.lines[-1].endswith(ELLIPSIS)
    assert fitted.height <= 60
    assert fitted.width <= 300


def test_balanced_lines_avoid_a_lonely_last_word() -> None:
    fitted = fit_text("Bakery Grand Opening Party", FACE, max_width=600, max_height=1000, max_size=90, min_size=90)
    assert len(fitted.lines) == 2
    assert fitted.lines == ("Bakery Grand", "Opening Party")


def test_drawing_returns_the_inked_box_inside_the_target() -> None:
    image = Image.new("RGB", (600, 300), "white")
    fitted = fit_text("Hello there", FACE, max_width=500, max_height=200, max_size=120)
    box = draw_fitted(ImageDraw.Draw(image), fitted, x=50, y=50, width=500, fill=(0, 0, 0), bounds=(0, 0, 600, 300))
    assert box is not None
    assert box[0] >= 50
    assert box[2] <= 550
    assert box[1] >= 48
    assert box[3] <= 50 + fitted.height + 2
    assert image.getbbox() is not None


def test_drawing_refuses_ink_outside_the_bounds() -> None:
    image = Image.new("RGB", (100, 100), "white")
    fitted = fit_text("WIDE TEXT", FACE, max_width=400, max_height=100, max_size=60)
    box = draw_fitted(ImageDraw.Draw(image), fitted, x=0, y=0, width=400, fill=(0, 0, 0), bounds=(0, 0, 100, 100))
    assert box is None
    assert image.getcolors() == [(100 * 100, (255, 255, 255))]
