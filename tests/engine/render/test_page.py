"""The page: fitted text and stacks that shrink together and never spill out of their box."""

from __future__ import annotations

import random

from PIL import Image

from nanobananas.engine.render.fonts import PAIRINGS
from nanobananas.engine.render.page import Line, Page
from nanobananas.engine.render.palettes import PALETTES


def _page(width: int = 800, height: int = 600) -> Page:
    return Page(
        image=Image.new("RGB", (width, height), (255, 255, 255)),
        palette=PALETTES["minimal"],
        fonts=PAIRINGS["lato"],
        rng=random.Random(0),
    )


def test_text_is_drawn_inside_its_box_and_recorded() -> None:
    page = _page()
    box = page.text("Hello", "Lato Black", box=(100, 100, 500, 300), size=0.5, colour=(0, 0, 0))
    assert box is not None
    assert box[0] >= 100
    assert box[2] <= 500
    assert box[1] >= 100
    assert box[3] <= 300
    assert page.text_boxes == [box]
    assert page.faces == ["Lato Black"]


def test_a_stack_that_is_too_tall_shrinks_to_fit() -> None:
    page = _page()
    lines = [Line("Title " * 8, "Lato Black", 0.3, (0, 0, 0)), Line("A subtitle", "Lato Regular", 0.1, (0, 0, 0))]
    taken = page.stack(lines, (50, 50, 750, 350))
    assert taken[1] >= 50
    assert taken[3] <= 350
    assert len(page.text_boxes) == 2
    assert all(b[1] >= 50 and b[3] <= 350 for b in page.text_boxes)
    assert page.text_boxes[0][3] <= page.text_boxes[1][1]


def test_measure_matches_what_stack_takes() -> None:
    lines = [Line("Summer Market", "Lato Black", 0.2, (0, 0, 0)), Line("Saturday", "Lato Regular", 0.06, (0, 0, 0))]
    page = _page()
    needed = page.measure(lines, 600, 500)
    taken = page.stack(lines, (100, 0, 700, 500), valign="top")
    assert abs((taken[3] - taken[1]) - needed) <= 1


def test_empty_lines_are_skipped() -> None:
    page = _page()
    page.stack([Line("", "Lato Black", 0.2, (0, 0, 0)), Line("  ", "Lato Regular", 0.1, (0, 0, 0))], (0, 0, 800, 600))
    assert page.text_boxes == []
