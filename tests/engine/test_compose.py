"""Combining pictures: layouts, logo placement and a subject on a new background, pixel-exact."""

from __future__ import annotations

import pytest
from PIL import Image

from nanobananas.engine.compose import compose, overlay, place_on_background
from nanobananas.engine.errors import OperationError


def _solid(size: tuple[int, int], color: tuple[int, ...], mode: str = "RGB") -> Image.Image:
    return Image.new(mode, size, color)


def test_horizontal_scales_to_the_smallest_height() -> None:
    result = compose([_solid((40, 20), (255, 0, 0)), _solid((30, 30), (0, 0, 255))], layout="horizontal", gap=4)
    assert result.size == (40 + 4 + 20, 20)
    assert result.getpixel((0, 0)) == (255, 0, 0)
    assert result.getpixel((42, 10)) == (255, 255, 255), "the gap is the background colour"
    assert result.getpixel((63, 19)) == (0, 0, 255)


def test_vertical_scales_to_the_smallest_width() -> None:
    result = compose([_solid((40, 20), (255, 0, 0)), _solid((20, 20), (0, 255, 0))], layout="vertical")
    assert result.size == (20, 10 + 20)
    assert result.getpixel((10, 5)) == (255, 0, 0)
    assert result.getpixel((10, 25)) == (0, 255, 0)


def test_grid_of_four_is_two_by_two() -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9)]
    result = compose([_solid((10, 10), c) for c in colours], layout="grid")
    assert result.size == (20, 20)
    assert [result.getpixel(p) for p in [(5, 5), (15, 5), (5, 15), (15, 15)]] == colours


def test_compose_needs_two_pictures() -> None:
    with pytest.raises(OperationError, match="at least two"):
        compose([_solid((5, 5), (0, 0, 0))])


@pytest.mark.parametrize(
    ("position", "inside", "outside"),
    [
        ("top-left", (3 + 10, 3 + 5), (90, 40)),
        ("bottom-right", (100 - 3 - 10, 50 - 3 - 5), (10, 10)),
        ("center", (50, 25), (5, 5)),
    ],
)
def test_overlay_places_the_logo(position: str, inside: tuple[int, int], outside: tuple[int, int]) -> None:
    base = _solid((100, 50), (200, 200, 200))
    logo = _solid((40, 20), (0, 0, 255, 255), "RGBA")
    result = overlay(base, logo, position=position, scale=0.2, margin=0.03)
    assert result.mode == "RGB"
    assert result.getpixel(inside) == (0, 0, 255)
    assert result.getpixel(outside) == (200, 200, 200)


def test_overlay_keeps_the_logos_transparency() -> None:
    logo = _solid((10, 10), (0, 0, 0, 0), "RGBA")
    logo.putpixel((5, 5), (255, 0, 0, 255))
    result = overlay(_solid((50, 50), (1, 2, 3)), logo, position="center", scale=0.2)
    assert result.getpixel((20, 20)) == (1, 2, 3)
    assert result.getpixel((25, 25)) != (1, 2, 3)


def test_overlay_refuses_unknown_positions() -> None:
    with pytest.raises(OperationError, match="unknown position 'upstairs'"):
        overlay(_solid((10, 10), (0, 0, 0)), _solid((2, 2), (1, 1, 1)), position="upstairs")


def test_a_subject_keeps_its_place_on_the_new_background() -> None:
    subject = _solid((40, 20), (0, 0, 0, 0), "RGBA")
    subject.paste((255, 0, 0, 255), (10, 5, 20, 15))
    background = _solid((80, 80), (0, 0, 255))
    result = place_on_background(subject, background)
    assert result.size == (40, 20)
    assert result.getpixel((15, 10)) == (255, 0, 0)
    assert result.getpixel((2, 2)) == (0, 0, 255)


def test_place_on_background_needs_a_cut_out() -> None:
    with pytest.raises(OperationError, match="cut out"):
        place_on_background(_solid((4, 4), (0, 0, 0)), _solid((4, 4), (0, 0, 0)))
