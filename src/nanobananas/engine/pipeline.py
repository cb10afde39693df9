"""Run a Plan on an image: validate every step against the op registry, then apply them in order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from nanobananas.engine.errors import EngineError, OperationError, PlanError
from nanobananas.engine.finders import parse_objects
from nanobananas.engine.ops import Operation, OpParams, get_operation, validate_params
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._region import apply_in_region, mask_in_picture
from nanobananas.engine.plan import Plan, Region

__all__ = ["PipelineResult", "StepRecord", "run_plan", "validate_plan"]


@dataclass(frozen=True)
class StepRecord:
    """What ran: op name and version, the validated params, where (None: everywhere), and how long it took."""

    op: str
    version: int
    params: dict[str, Any]
    milliseconds: float
    region: dict[str, Any] | None = None


@dataclass
class PipelineResult:
    """The final image and one record per step, in order."""

    image: Image.Image
    steps: list[StepRecord] = field(default_factory=list)


def validate_plan(plan: Plan) -> list[tuple[Operation[Any], OpParams]]:
    """Resolve every step to its op and validated params; PlanError names the failing step."""
    resolved: list[tuple[Operation[Any], OpParams]] = []
    for index, step in enumerate(plan.steps, start=1):
        try:
            operation = get_operation(step.op)
            resolved.append((operation, validate_params(step.op, step.params)))
        except PlanError as error:
            raise PlanError(f"step {index}: {error}") from None
        if step.region is not None and not operation.regional:
            raise PlanError(f"step {index}: {step.op!r} changes the whole picture and cannot apply to one area")
        if step.region is not None and step.region.object is not None and parse_objects(step.region.object) is None:
            raise PlanError(f"step {index}: {step.region.object!r} names no thing the engine can find")
    return resolved


def run_plan(image: Image.Image, plan: Plan) -> PipelineResult:
    """Validate the whole plan first, then apply each step and record it."""
    resolved = validate_plan(plan)
    result = PipelineResult(image=image)
    for step, (operation, params) in zip(plan.steps, resolved, strict=True):
        started = time.perf_counter()
        try:
            output = _apply(operation, params, result.image, step.region)
        except EngineError:
            raise
        except MemoryError:
            raise OperationError(f"{operation.name} ran out of memory on this image") from None
        except Exception as error:
            # A library failing on an unusual picture must reach the person as a message, not a traceback.
            raise OperationError(f"{operation.name} could not process this image ({error})") from error
        result.image = output
        result.steps.append(
            StepRecord(
                op=operation.name,
                version=operation.version,
                params=params.model_dump(mode="json"),
                milliseconds=round((time.perf_counter() - started) * 1000, 3),
                region=step.region.model_dump(mode="json") if step.region is not None else None,
            )
        )
    return result


def _apply(operation: Operation[Any], params: OpParams, image: Image.Image, region: Region | None) -> Image.Image:
    if region is None:
        return operation.apply(image, params)
    # Found before the op runs, so a thing that is not there stops the plan before any work is done.
    mask = mask_in_picture(normalize_mode(image), region)
    return apply_in_region(image, operation.apply(image, params), region, mask)
