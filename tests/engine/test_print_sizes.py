"""Print sizes: inches, cm and mm at a dpi and paper formats, for edits (the print_size op) and for designs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from nanobananas.engine.commands import edit_command
from nanobananas.engine.paper import find_print_size
from nanobananas.engine.pipeline import run_plan
from nanobananas.engine.plan import Plan
from nanobananas.engine.planner import plan_instruction
from nanobananas.engine.render import render_design


def _plan(text: str) -> Plan:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan), f"{text!r} gave {outcome!r}"
    return outcome


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("make it 8 by 10 inches at 300 dpi", {"width": 8.0, "height": 10.0, "unit": "in", "dpi": 300}),
        ("make it 8x10in", {"width": 8.0, "height": 10.0, "unit": "in"}),
        ("resize it to 20 x 30 cm at 200 ppi", {"width": 20.0, "height": 30.0, "unit": "cm", "dpi": 200}),
        ("make it 210x297mm", {"width": 210.0, "height": 297.0, "unit": "mm"}),
        ("resize to A4 at 150 dpi", {"width": 210, "height": 297, "unit": "mm", "dpi": 150}),
        ("make it an a5 print", {"width": 148, "height": 210, "unit": "mm"}),
        ("make it a 4x6 print", {"width": 4, "height": 6, "unit": "in"}),
        ("print it as a 5x7 photo", {"width": 5, "height": 7, "unit": "in"}),
        ("fit it on us letter paper without cropping", {"width": 8.5, "height": 11, "unit": "in", "mode": "fit"}),
        ("make it an A4 landscape print", {"width": 297, "height": 210, "unit": "mm", "orient": False}),
        ("make it A4, 150 dpi", {"width": 210, "height": 297, "unit": "mm", "dpi": 150}),
        ("make it 8x10 inches in portrait", {"width": 8.0, "height": 10.0, "unit": "in", "orient": False}),
    ],
)
def test_print_sizes_in_an_edit(text: str, params: dict[str, Any]) -> None:
    plan = _plan(text)
    assert [(step.op, step.params) for step in plan.steps] == [("print_size", params)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crop it to 4x6", [("crop_aspect", {"ratio": "4:6"})]),
        ("resize to 800x600", [("resize", {"width": 800, "height": 600, "mode": "fill"})]),
    ],
)
def test_a_ratio_or_pixels_is_no_print_size(text: str, expected: list[Any]) -> None:
    assert [(step.op, step.params) for step in _plan(text).steps] == expected


def test_without_a_dpi_300_is_used_and_said() -> None:
    assert _plan("make it 8x10 inches").notes == [
        "No dpi was given, so 300 dpi was used (8x10 in); say 'at 150 dpi' for another."
    ]
    assert _plan("make it 8x10 inches at 300 dpi").notes == []
    assert "notes" not in _plan("make it brighter").model_dump()


@pytest.mark.parametrize(("size", "expected"), [((480, 384), (3000, 2400)), ((384, 480), (2400, 3000))])
def test_the_print_follows_the_picture_orientation(size: tuple[int, int], expected: tuple[int, int]) -> None:
    image = Image.new("RGB", size, (10, 120, 200))
    result = run_plan(image, _plan("make it 8 by 10 inches at 300 dpi")).image
    assert result.size == expected
    assert result.info["dpi"] == (300, 300)


def test_millimetres_at_a_dpi_and_fitting_without_cropping() -> None:
    image = Image.new("RGB", (400, 400), (200, 30, 30))
    assert run_plan(image, _plan("make it 100 x 150 mm at 254 dpi")).image.size == (1000, 1500)
    fitted = run_plan(image, _plan("fit it on a 4x6 print without cropping")).image
    assert fitted.size == (1200, 1200)


def test_the_cli_says_which_dpi_it_assumed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.png"
    Image.new("RGB", (120, 90), (1, 2, 3)).save(source)
    out = tmp_path / "out.png"
    assert edit_command(input_path=str(source), instruction="make it 4x6 inches", output=str(out), show_plan=False) == 0
    assert "note: No dpi was given, so 300 dpi was used (4x6 in)" in capsys.readouterr().err
    with Image.open(out) as result:
        assert result.size == (1800, 1200)


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("a poster for a bakery in A4", (2480, 3508)),
        ("a 5x7 invitation for Anna", (1500, 2100)),
        ("a flyer for a yard sale, letter size", (2550, 3300)),
        ("an A5 landscape flyer for a concert", (2480, 1748)),
        ("a poster 8 by 10 inches at 150 dpi", (1200, 1500)),
        ("a flyer, 100 x 150 mm at 254 dpi", (1000, 1500)),
        ("an A6 flyer, 150 dpi", (620, 874)),
        ("a poster in A3 for a concert", (3508, 4961)),
        # social formats that are no design kind of their own
        ("a twitter header for my band", (1500, 500)),
        ("an x header for my podcast", (1500, 500)),
        ("a linkedin banner for Acme", (1584, 396)),
        ("a pinterest pin for a recipe", (1000, 1500)),
        ("a facebook post for a party", (1200, 630)),
        ("a tiktok video cover for my shop", (1080, 1920)),
        ("a square poster for a jazz night", (1414, 1414)),
        # a kind's own format keeps its size
        ("a facebook cover for Green Valley Farm", (1640, 624)),
        ("an instagram story for a bakery", (1080, 1920)),
        ("a poster for a bakery grand opening on June 5", (1414, 2000)),
    ],
)
def test_a_design_in_a_named_format_has_that_exact_size(prompt: str, size: tuple[int, int]) -> None:
    assert render_design(prompt).image.size == size


@pytest.mark.parametrize("text", ["crop it to 4x6", "make it brighter", "resize to 800x600"])
def test_no_print_size_named(text: str) -> None:
    assert find_print_size(text) is None


def test_a_named_orientation_wins_over_the_pictures() -> None:
    landscape = Image.new("RGB", (480, 384), (10, 120, 200))
    assert run_plan(landscape, _plan("make it 8x10 inches at 100 dpi in portrait")).image.size == (800, 1000)
    assert run_plan(landscape, _plan("make it 8x10 inches at 100 dpi")).image.size == (1000, 800)
