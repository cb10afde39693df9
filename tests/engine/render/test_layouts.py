"""Layouts: every layout keeps its text on the canvas and apart, at every shape, with long and short text."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from PIL import Image

from nanobananas.engine.render.brief import Brief, MenuItem, Scene
from nanobananas.engine.render.fonts import PAIRINGS
from nanobananas.engine.render.layouts import LAYOUTS, choose_layout
from nanobananas.engine.render.page import Page
from nanobananas.engine.render.palettes import PALETTES
from nanobananas.engine.render.scenes import draw_scene
from nanobananas.engine.render.text import Box
from nanobananas.engine.render.understand import understand

LONG = ("Grand reopening celebration of the old harbour market with music food and friends " * 3)[:200]
SHAPES = [(707, 1000), (540, 540), (640, 360), (960, 320), (525, 300), (300, 200), (120, 400)]


def _brief(title: str) -> Brief:
    return Brief(
        kind="poster",
        title=title,
        subtitle="Live music, food stalls and a raffle for the whole family",
        kicker="You're invited",
        details=("Saturday, June 5th", "7:30 PM", "Rosa's Bakery, 12 Harbour Road", "ana@example.com"),
        price="20% OFF",
        name="Ana Silva",
        age="7",
        theme="bakery",
        items=tuple(MenuItem(f"Item number {n}", f"{n}.50") for n in range(12)),
        scene=Scene("beach", "sunset"),
    )


def _render(layout: str, brief: Brief, size: tuple[int, int]) -> Page:
    image = draw_scene(brief.scene, *size, seed=1) if layout == "scene-card" and brief.scene else None
    page = Page(
        image=image or Image.new("RGB", size, PALETTES["bakery"].background),
        palette=PALETTES["bakery"],
        fonts=PAIRINGS["lato"],
        rng=random.Random(1),
    )
    LAYOUTS[layout](page, brief)
    return page


def _inside(box: Box, size: tuple[int, int]) -> bool:
    return 0 <= box[0] < box[2] <= size[0] and 0 <= box[1] < box[3] <= size[1]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", SHAPES)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("title", ["Open", LONG])
def test_text_stays_on_the_canvas_and_apart(layout: str, size: tuple[int, int], title: str) -> None:
    page = _render(layout, _brief(title), size)
    assert page.image.size == size
    assert all(_inside(box, size) for box in page.text_boxes)
    for a, b in combinations(page.text_boxes, 2):
        assert not _overlap(a, b), (a, b)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_title_is_drawn_at_a_normal_size(layout: str) -> None:
    page = _render(layout, _brief("Harbour Market"), (1414, 2000))
    assert page.text_boxes
    assert page.faces


@pytest.mark.parametrize(
    ("prompt", "size", "layout"),
    [
        ("business card for Ana Silva, architect", (1050, 600), "business-card"),
        ("menu for a coffee shop", (1240, 1754), "menu"),
        ("certificate of achievement for Sam Lee", (2000, 1414), "certificate"),
        ("birthday card for Mia turning 7", (1500, 2100), "party"),
        ("birthday card for Mia turning 7", (1920, 1080), "party"),
        ("an instagram post that says SUMMER SALE", (1080, 1080), "bold"),
        ("poster for a beach party at sunset on 5/6", (1414, 2000), "scene-card"),
    ],
)
def test_kinds_with_their_own_layout(prompt: str, size: tuple[int, int], layout: str) -> None:
    assert choose_layout(understand(prompt), *size, seed=123) == layout


def test_general_posters_choose_among_several_layouts_by_seed() -> None:
    brief = understand("a poster for a bakery grand opening on June 5")
    chosen = {choose_layout(brief, 1414, 2000, seed) for seed in range(12)}
    assert chosen == {"classic", "band", "arch"}
    assert choose_layout(brief, 1414, 2000, 7) == choose_layout(brief, 1414, 2000, 7)


def test_wide_designs_get_wide_layouts() -> None:
    brief = understand("YouTube thumbnail: 10 tips for better sleep")
    assert {choose_layout(brief, 1280, 720, seed) for seed in range(8)} == {"split", "bold"}
