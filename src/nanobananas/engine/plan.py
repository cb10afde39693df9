"""The Plan model: an ordered list of op calls plus output settings, or a refusal or a question."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Clarification", "OpCall", "OutputSpec", "Plan", "PlanOutcome", "Refusal"]


class OpCall(BaseModel):
    """One step of a plan: an op name from the registry and its parameters."""

    model_config = ConfigDict(extra="forbid")

    op: str
    params: dict[str, Any] = Field(default_factory=dict)


class OutputSpec(BaseModel):
    """How the result should be encoded; None fields defer to the output file's extension."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["png", "jpeg", "webp", "avif", "gif", "tiff"] | None = None
    quality: int | None = Field(default=None, ge=1, le=100)
    max_bytes: int | None = Field(default=None, gt=0)
    strip_metadata: bool = True


class Plan(BaseModel):
    """What to do to an image, in order; who planned it and with which planner version."""

    model_config = ConfigDict(extra="forbid")

    steps: list[OpCall]
    output: OutputSpec | None = None
    planner: str = "builtin"
    planner_version: str


class Refusal(BaseModel):
    """The request cannot be done by the offline engine; `needs` names the missing capability."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    needs: str = "generative-edit"


class Clarification(BaseModel):
    """The request was not understood; ask a question and offer phrasings that would work."""

    model_config = ConfigDict(extra="forbid")

    question: str
    suggestions: list[str]


PlanOutcome = Plan | Refusal | Clarification
