"""The Plan model: JSON round trips and validation of its fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nanobananas.engine.plan import Clarification, OpCall, OutputSpec, Plan, Refusal


def test_plan_round_trips_through_json() -> None:
    plan = Plan(
        steps=[OpCall(op="crop_aspect", params={"ratio": "1:1"}), OpCall(op="grayscale")],
        output=OutputSpec(format="jpeg", quality=80, max_bytes=30_000),
        planner_version="1",
    )
    text = plan.model_dump_json()
    assert Plan.model_validate_json(text) == plan
    assert '"planner":"builtin"' in text


def test_output_spec_limits() -> None:
    with pytest.raises(ValidationError):
        OutputSpec(quality=0)
    with pytest.raises(ValidationError):
        OutputSpec(format="bmp")  # type: ignore[arg-type]  # an invalid format on purpose
    assert OutputSpec().strip_metadata is True


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Plan.model_validate({"steps": [], "planner_version": "1", "surprise": 1})


def test_refusal_and_clarification_defaults() -> None:
    assert Refusal(reason="x").needs == "generative-edit"
    assert Clarification(question="what?", suggestions=["a"]).suggestions == ["a"]
