"""Regions: feathered masks, every adjustment applied to one area, the rest of the picture left exactly as it was."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.errors import PlanError
from nanobananas.engine.ops import all_operations
from nanobananas.engine.ops._region import region_mask
from nanobananas.engine.pipeline import run_plan, validate_plan
from nanobananas.engine.plan import OpCall, Plan, Region

# One telling setting per adjustment; the registry test below keeps this list complete.
ADJUSTMENTS: dict[str, dict[str, Any]] = {
    "auto_enhance": {"strength": 2.0},
    "blur": {"radius": 6},
    "brightness": {"amount": -0.4},
    "cartoon": {},
    "charcoal": {},
    "color_splash": {"keep": "red"},
    "contrast": {"amount": 0.6},
    "curves": {"preset": "vintage"},
    "denoise": {"strength": 20},
    "emboss": {},
    "exposure": {"stops": 1.0},
    "gamma": {"gamma": 1.6},
    "glow": {"amount": 0.8},
    "grain": {"amount": 1.0},
    "grayscale": {},
    "halftone": {},
    "invert": {},
    "oil_painting": {},
    "pencil_sketch": {},
    "pixelate": {"blocks": 16},
    "posterize": {"levels": 2},
    "saturation": {"amount": -0.8},
    "sepia": {},
    "sharpen": {"amount": 3.0},
    "tint": {"amount": 0.6},
    "vibrance": {"amount": 1.0},
    "warmth": {"amount": 0.8},
    "watercolor": {},
    "white_balance": {},
}
TOP_HALF = Region(boxes=[(0.0, 0.0, 1.0, 0.5)])


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(np.int32)


def _run(image: Image.Image, op: str, params: dict[str, Any], region: Region | None) -> Image.Image:
    return run_plan(image, Plan(steps=[OpCall(op=op, params=params, region=region)], planner_version="test")).image


def test_every_adjustment_is_regional_and_every_regional_op_is_listed_here() -> None:
    regional = {name for name, operation in all_operations().items() if operation.regional}
    assert regional == set(ADJUSTMENTS)
    assert not {"rotate", "resize", "crop_box", "flip", "pad", "border", "add_text"} & regional


@pytest.mark.parametrize(("op", "params"), sorted(ADJUSTMENTS.items()))
def test_an_adjustment_in_the_top_half_leaves_the_bottom_half_exactly_as_it_was(
    photo: Image.Image, op: str, params: dict[str, Any]
) -> None:
    whole = _pixels(_run(photo, op, params, None))
    inside = _pixels(_run(photo, op, params, TOP_HALF))
    before = _pixels(photo)
    assert inside.shape == before.shape
    assert (inside[120:] == before[120:]).all()
    # Well inside the area (past the feathered edge) the result is the op's own result.
    assert np.abs(inside[:110] - whole[:110]).max() <= 1
    assert np.abs(whole[:110] - before[:110]).mean() > 1


def test_everything_except_an_area_leaves_that_area_exactly_as_it_was(photo: Image.Image) -> None:
    region = Region(boxes=[(0.0, 0.0, 1.0, 0.5)], exclude=True)
    out = _pixels(_run(photo, "grayscale", {}, region))
    before = _pixels(photo)
    assert (out[:120] == before[:120]).all()
    bottom = out[130:]
    assert (bottom[..., 0] == bottom[..., 1]).all()
    assert (bottom[..., 1] == bottom[..., 2]).all()


def test_the_mask_ramps_inside_the_region_only() -> None:
    mask = np.asarray(region_mask((200, 100), Region(boxes=[(0.0, 0.0, 1.0, 0.5)], feather=0.1)))
    column = mask[:, 100].astype(int)
    assert column[50:].max() == 0
    assert column[:40].min() == 255
    assert 0 < column[47] < column[45] < 255
    # The picture's own edge is no edge of the region: no ramp along the top or the sides.
    assert mask[0, 0] == 255
    assert mask[0, 199] == 255


def test_a_corner_box_and_a_hard_edge() -> None:
    mask = np.asarray(region_mask((90, 60), Region(boxes=[(2 / 3, 2 / 3, 1.0, 1.0)], feather=0)))
    assert mask[40:, 60:].min() == 255
    assert mask[:40].max() == 0
    assert mask[:, :60].max() == 0


def test_several_boxes_are_one_region_without_a_seam() -> None:
    mask = np.asarray(region_mask((300, 90), Region(boxes=[(0.0, 0.0, 1 / 3, 1.0), (1 / 3, 0.0, 2 / 3, 1.0)])))
    assert mask[45, :195].min() == 255
    assert mask[45, 200:].max() == 0


def test_transparency_outside_the_region_is_kept() -> None:
    image = Image.new("RGBA", (40, 40), (200, 100, 50, 90))
    out = _run(image, "brightness", {"amount": -0.5}, TOP_HALF)
    assert out.mode == "RGBA"
    assert out.getpixel((5, 35)) == (200, 100, 50, 90)
    assert out.getpixel((5, 5)) == (100, 50, 25, 90)


@pytest.mark.parametrize("op", ["rotate", "resize", "flip", "border"])
def test_a_region_on_an_op_that_changes_the_whole_canvas_is_refused_before_anything_runs(op: str) -> None:
    params = {"rotate": {"degrees": 90}, "resize": {"factor": 0.5}, "flip": {}, "border": {"width": 5}}[op]
    plan = Plan(steps=[OpCall(op=op, params=params, region=TOP_HALF)], planner_version="test")
    with pytest.raises(PlanError, match=rf"step 1: '{op}' changes the whole picture and cannot apply to one area"):
        validate_plan(plan)


@pytest.mark.parametrize(
    "box", [(0.5, 0.0, 0.4, 1.0), (0.0, 0.0, 1.2, 1.0), (-0.1, 0.0, 1.0, 1.0), (0.0, 0.6, 1.0, 0.6)]
)
def test_a_box_outside_the_picture_or_empty_is_invalid(box: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="is not inside the picture"):
        Region(boxes=[box])


def test_the_step_record_says_where_and_a_whole_picture_plan_is_written_as_before(photo: Image.Image) -> None:
    plan = Plan(steps=[OpCall(op="grayscale"), OpCall(op="invert", region=TOP_HALF)], planner_version="test")
    result = run_plan(photo, plan)
    assert result.steps[0].region is None
    assert result.steps[1].region == {"boxes": [[0.0, 0.0, 1.0, 0.5]], "exclude": False, "feather": 0.03}
    assert plan.model_dump(mode="json")["steps"][0] == {"op": "grayscale", "params": {}}
    assert Plan.model_validate_json(plan.model_dump_json()) == plan
