"""The Plan model: an ordered list of op calls plus output settings, or a refusal or a question."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

__all__ = ["Box", "Clarification", "OpCall", "OutputSpec", "Plan", "PlanOutcome", "Refusal", "Region"]

Box = tuple[float, float, float, float]
"""Left, top, right, bottom as fractions of the picture's width and height."""


class Region(BaseModel):
    """Where a step applies: the union of boxes, or the things an object phrase names ("the sky", "the yellow box"),
    found in the picture when the step runs; or everything outside them. A box's edge is feathered inward; a found
    thing's edge follows the picture's own edges."""

    model_config = ConfigDict(extra="forbid")

    boxes: list[Box] = Field(default_factory=list, max_length=8)
    object: str | None = Field(default=None, min_length=1, max_length=200)
    exclude: bool = False
    feather: float = Field(default=0.03, ge=0, le=0.25, description="width of the soft edge, share of the shorter side")

    @model_validator(mode="after")
    def _boxes_or_object(self) -> Region:
        if bool(self.boxes) == (self.object is not None):
            raise ValueError("a region is either boxes or an object phrase, and one of them")
        return self

    @model_serializer(mode="wrap")
    def _without_empty_object(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A region by boxes is written as it always was.
        data = handler(self)
        if isinstance(data, dict):
            if data.get("object") is None:
                data.pop("object", None)
            elif not data.get("boxes"):
                data.pop("boxes", None)
        return data

    @field_validator("boxes")
    @classmethod
    def _inside_the_picture(cls, boxes: list[Box]) -> list[Box]:
        for left, top, right, bottom in boxes:
            if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
                raise ValueError(f"box {[left, top, right, bottom]} is not inside the picture (0..1, left < right)")
        return boxes


class OpCall(BaseModel):
    """One step of a plan: an op name from the registry, its parameters and, for adjustments, a region."""

    model_config = ConfigDict(extra="forbid")

    op: str
    params: dict[str, Any] = Field(default_factory=dict)
    region: Region | None = None

    @model_serializer(mode="wrap")
    def _without_empty_region(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A whole-picture step is written as it always was, so stored plans and their readers stay the same.
        data = handler(self)
        if isinstance(data, dict) and data.get("region") is None:
            data.pop("region", None)
        return data


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
    notes: list[str] = Field(default_factory=list, description="what the planner assumed, to tell the person")

    @model_serializer(mode="wrap")
    def _without_empty_notes(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A plan without notes is written as it always was.
        data = handler(self)
        if isinstance(data, dict) and not data.get("notes"):
            data.pop("notes", None)
        return data


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
