"""Ops on one found thing: recolour keeping its shading, erase filled from its surroundings, shapes at a place,
and every adjustment applied inside a found thing's mask while the rest stays as it was."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.errors import ObjectNotFoundError, PlanError
from nanobananas.engine.ops import validate_params
from nanobananas.engine.pipeline import run_plan
from nanobananas.engine.plan import OpCall, Plan, Region

from .conftest import apply

# The conftest photo: red disc in the box (48, 29)-(112, 91), yellow box (176, 108)-(272, 192), horizon at y=144.
DISC = (slice(29, 92), slice(48, 113))
BOX = (slice(108, 193), slice(176, 273))


def _hue_saturation_value(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import cv2

    hsv = cv2.cvtColor(pixels.astype(np.float32) / 255, cv2.COLOR_RGB2HSV)
    return hsv[..., 0], hsv[..., 1], hsv[..., 2]


def _lightness(pixels: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(pixels.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[..., 0]


def _outside(shape: tuple[int, int], box: tuple[slice, slice], margin: int) -> np.ndarray:
    keep = np.ones(shape, dtype=bool)
    keep[box[0].start - margin : box[0].stop + margin, box[1].start - margin : box[1].stop + margin] = False
    return keep


def _shaded_box() -> Image.Image:
    """A yellow box lit from the left (lightness falls to the right) on a grey backdrop."""
    image = Image.new("RGB", (200, 150), (128, 128, 128))
    pixels = np.array(image)
    ramp = np.linspace(1.0, 0.7, 100)[None, :, None]
    pixels[40:110, 50:150] = np.clip(np.array([245, 215, 40])[None, None, :] * ramp, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def test_recolour_makes_the_thing_red_and_leaves_the_rest(photo: Image.Image) -> None:
    out = np.asarray(apply("recolor", photo, object="the yellow box", color="red")).astype(int)
    before = np.asarray(photo).astype(int)
    hue, saturation, _ = _hue_saturation_value(out[112:189, 180:269])
    red = ((hue < 15) | (hue >= 345)) & (saturation >= 0.4)
    assert red.mean() > 0.95
    outside = _outside((240, 320), BOX, margin=3)
    assert np.abs(out - before)[outside].max() <= 2


def test_recolour_keeps_the_lightness_pattern() -> None:
    image = _shaded_box()
    out = np.asarray(apply("recolor", image, object="the yellow box", color="blue")).astype(np.float32)
    before = np.asarray(image).astype(np.float32)
    hue, _, _ = _hue_saturation_value(out[45:105, 55:145])
    assert ((hue >= 200) & (hue < 260)).mean() > 0.95
    light_before, light_after = _lightness(before[45:105, 55:145]), _lightness(out[45:105, 55:145])
    assert np.corrcoef(light_before.ravel(), light_after.ravel())[0, 1] > 0.98
    # The shading keeps its size: left edge minus right edge, in lightness, within 25% (a light blue is out of gamut).
    fall_before = light_before[:, :5].mean() - light_before[:, -5:].mean()
    fall_after = light_after[:, :5].mean() - light_after[:, -5:].mean()
    assert fall_after == pytest.approx(fall_before, rel=0.25)


def test_a_partial_recolour_moves_only_part_of_the_way(photo: Image.Image) -> None:
    out = np.asarray(apply("recolor", photo, object="the sky", color="purple", amount=0.45))
    hue, _, _ = _hue_saturation_value(out[10:60, 200:300])
    original, _, _ = _hue_saturation_value(np.asarray(photo)[10:60, 200:300])
    assert 230 < float(np.median(hue)) < 265
    assert float(np.median(hue)) > float(np.median(original)) + 10
    assert np.array_equal(np.asarray(photo)[160:, :], out[160:, :])


def test_erase_fills_the_thing_from_its_surroundings(photo: Image.Image) -> None:
    out = np.asarray(apply("erase", photo, object="the red circle")).astype(np.float32)
    before = np.asarray(photo).astype(np.float32)
    filled = out[35:86, 55:106]
    surroundings = before[29:92, 118:140]  # the sky just right of the disc, the same rows
    assert np.abs(filled.mean(axis=(0, 1)) - surroundings.mean(axis=(0, 1))).max() < 3
    hue, saturation, _ = _hue_saturation_value(filled)
    assert (((hue < 15) | (hue >= 345)) & (saturation > 0.4)).mean() == 0
    outside = _outside((240, 320), DISC, margin=8)
    assert np.abs(out - before)[outside].max() <= 2


def test_erase_continues_the_horizon_behind_the_box(photo: Image.Image) -> None:
    out = np.asarray(apply("erase", photo, object="the yellow box")).astype(np.float32)
    hue, saturation, _ = _hue_saturation_value(out[150:188, 185:265])
    assert ((hue >= 70) & (hue < 170) & (saturation > 0.3)).mean() > 0.95  # grass below the horizon
    sky_hue, _, _ = _hue_saturation_value(out[112:138, 185:265])
    assert ((sky_hue >= 190) & (sky_hue < 245)).mean() > 0.95  # sky above it


def test_erase_navier_stokes_also_removes_the_thing(photo: Image.Image) -> None:
    out = np.asarray(apply("erase", photo, object="the red circle", method="navier-stokes"))
    hue, saturation, _ = _hue_saturation_value(out[35:86, 55:106])
    assert (((hue < 15) | (hue >= 345)) & (saturation > 0.4)).mean() == 0


def test_an_op_on_a_missing_thing_says_what_it_looked_for(photo: Image.Image) -> None:
    with pytest.raises(ObjectNotFoundError, match=r"^I could not find a green ball: I looked for a round green area$"):
        apply("erase", photo, object="the green ball")


def test_an_unfindable_phrase_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="names no thing the engine can find"):
        validate_params("recolor", {"object": "the background", "color": "red"})


@pytest.mark.parametrize("shape", ["star", "heart", "arrow", "circle", "square", "rectangle", "triangle"])
def test_a_shape_is_drawn_at_the_named_place_and_nowhere_else(shape: str) -> None:
    image = Image.new("RGB", (400, 300), (255, 255, 255))
    out = np.asarray(apply("draw_shape", image, shape=shape, color="blue", position="bottom-left"))
    painted = np.any(out != 255, axis=2)
    rows, columns = np.nonzero(painted)
    assert columns.min() >= 12
    assert columns.max() < 12 + 66
    assert rows.max() < 300 - 12 + 1
    assert rows.min() >= 300 - 12 - 66
    solid = np.all(out == (0, 80, 255), axis=2).sum()
    assert solid > 0.2 * 66 * 66
    # Anti-aliased: some edge pixels lie between the shape's colour and the backdrop (a square's edges are straight).
    assert shape in ("square", "rectangle") or (painted & ~np.all(out == (0, 80, 255), axis=2)).sum() > 10


def test_the_star_has_five_points() -> None:
    import cv2

    image = Image.new("RGB", (300, 300), (0, 0, 0))
    out = np.asarray(apply("draw_shape", image, shape="star", color="white", size=0.8))
    contours, _ = cv2.findContours((out[..., 0] > 128).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(contours[0], returnPoints=False)
    defects = cv2.convexityDefects(contours[0], hull)
    assert sum(1 for defect in defects[:, 0] if defect[3] / 256 > 20) == 5


def test_an_adjustment_applies_inside_a_found_thing_only(photo: Image.Image) -> None:
    plan = Plan(
        steps=[OpCall(op="brightness", params={"amount": -0.5}, region=Region(object="the yellow box"))],
        planner_version="test",
    )
    out = np.asarray(run_plan(photo, plan).image).astype(int)
    before = np.asarray(photo).astype(int)
    assert out[120:180, 190:260].mean() < before[120:180, 190:260].mean() * 0.7
    assert np.abs(out - before)[_outside((240, 320), BOX, margin=3)].max() <= 2


def test_everything_except_a_found_thing(photo: Image.Image) -> None:
    plan = Plan(
        steps=[OpCall(op="blur", params={"radius": 6}, region=Region(object="the yellow box", exclude=True))],
        planner_version="test",
    )
    out = np.asarray(run_plan(photo, plan).image).astype(int)
    before = np.asarray(photo).astype(int)
    assert np.abs(out - before)[112:189, 180:269].max() <= 2
    assert np.abs(out - before)[10:60, 200:300].mean() > 1.5  # the sky's noise is smoothed


def test_a_region_on_a_missing_thing_stops_before_any_step_runs(photo: Image.Image) -> None:
    plan = Plan(
        steps=[OpCall(op="grayscale", params={}, region=Region(object="the purple star"))], planner_version="test"
    )
    with pytest.raises(ObjectNotFoundError, match="I looked for a star-shaped purple area"):
        run_plan(photo, plan)


def test_a_region_is_boxes_or_an_object_and_is_written_as_before() -> None:
    with pytest.raises(ValueError, match="either boxes or an object phrase"):
        Region()
    with pytest.raises(ValueError, match="either boxes or an object phrase"):
        Region(boxes=[(0, 0, 1, 0.5)], object="the sky")
    assert Region(boxes=[(0, 0, 1, 0.5)]).model_dump() == {"boxes": [(0, 0, 1, 0.5)], "exclude": False, "feather": 0.03}
    assert Region(object="the sky").model_dump() == {"object": "the sky", "exclude": False, "feather": 0.03}


def test_an_unfindable_region_phrase_is_a_plan_error(photo: Image.Image) -> None:
    plan = Plan(steps=[OpCall(op="grayscale", region=Region(object="the background"))], planner_version="test")
    with pytest.raises(PlanError, match="step 1: 'the background' names no thing the engine can find"):
        run_plan(photo, plan)


def test_the_red_circle_and_the_blue_square_are_both_recoloured() -> None:
    image = Image.new("RGB", (300, 200), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse([20, 20, 100, 100], fill=(220, 30, 30))
    draw.rectangle([180, 60, 260, 140], fill=(30, 60, 220))
    out = np.asarray(apply("recolor", image, object="the red circle and the blue square", color="green"))
    for box in ((slice(40, 80), slice(40, 80)), (slice(80, 120), slice(200, 240))):
        hue, _, _ = _hue_saturation_value(out[box])
        assert ((hue >= 70) & (hue < 170)).mean() == 1
    assert np.array_equal(out[150:, :], np.asarray(image)[150:, :])
