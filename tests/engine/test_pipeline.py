"""run_plan: validates the whole plan first, runs the steps in order and records each one."""

from __future__ import annotations

import pytest
from PIL import Image

from nanobananas.engine.errors import PlanError
from nanobananas.engine.pipeline import run_plan, validate_plan
from nanobananas.engine.plan import OpCall, Plan


def _plan(*steps: OpCall) -> Plan:
    return Plan(steps=list(steps), planner_version="test")


def test_steps_run_in_order_and_are_recorded() -> None:
    image = Image.new("RGB", (40, 20), (10, 20, 30))
    plan = _plan(OpCall(op="rotate", params={"degrees": 90}), OpCall(op="border", params={"width": 5}))
    result = run_plan(image, plan)
    assert result.image.size == (30, 50)
    assert [(step.op, step.version) for step in result.steps] == [("rotate", 1), ("border", 1)]
    assert result.steps[0].params == {"degrees": 90.0, "expand": True, "fill": "#ffffff"}
    assert result.steps[1].params == {"width": 5, "percent": None, "color": "#ffffff"}
    assert all(step.milliseconds >= 0 for step in result.steps)


def test_input_image_is_not_modified() -> None:
    image = Image.new("RGB", (8, 8), (100, 100, 100))
    run_plan(image, _plan(OpCall(op="invert")))
    assert image.getpixel((0, 0)) == (100, 100, 100)


def test_unknown_op_fails_before_anything_runs() -> None:
    plan = _plan(OpCall(op="grayscale"), OpCall(op="teleport"))
    with pytest.raises(PlanError, match="step 2: unknown operation 'teleport'"):
        run_plan(Image.new("RGB", (4, 4)), plan)


def test_bad_params_name_the_step_and_field() -> None:
    plan = _plan(OpCall(op="brightness", params={"amount": 99}))
    with pytest.raises(PlanError, match=r"step 1: invalid parameters for 'brightness': amount"):
        validate_plan(plan)


def test_a_plan_from_json_runs_like_the_original() -> None:
    plan = _plan(OpCall(op="grayscale"), OpCall(op="resize", params={"width": 10}))
    again = Plan.model_validate_json(plan.model_dump_json())
    image = Image.new("RGB", (20, 10), (200, 0, 0))
    assert run_plan(image, again).image.tobytes() == run_plan(image, plan).image.tobytes()


def test_empty_plan_returns_the_image() -> None:
    image = Image.new("RGB", (4, 4), (1, 2, 3))
    result = run_plan(image, _plan())
    assert result.image is image
    assert result.steps == []


def test_a_library_failure_becomes_an_operation_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from nanobananas.engine.errors import OperationError
    from nanobananas.engine.ops import registry

    def broken(image: Image.Image, params: object) -> Image.Image:
        raise ValueError("bad tile")

    monkeypatch.setitem(registry._REGISTRY, "invert", replace(registry._REGISTRY["invert"], function=broken))
    with pytest.raises(OperationError, match=r"invert could not process this image \(bad tile\)"):
        run_plan(Image.new("RGB", (4, 4)), _plan(OpCall(op="invert")))
