"""Run a Plan on an image: validate every step against the op registry, then apply them in order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from nanobananas.engine.errors import EngineError, OperationError, PlanError
from nanobananas.engine.ops import Operation, OpParams, get_operation, validate_params
from nanobananas.engine.plan import Plan

__all__ = ["PipelineResult", "StepRecord", "run_plan", "validate_plan"]


@dataclass(frozen=True)
class StepRecord:
    """What ran: op name and version, the validated params, and how long it took."""

    op: str
    version: int
    params: dict[str, Any]
    milliseconds: float


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
            resolved.append((get_operation(step.op), validate_params(step.op, step.params)))
        except PlanError as error:
            raise PlanError(f"step {index}: {error}") from None
    return resolved


def run_plan(image: Image.Image, plan: Plan) -> PipelineResult:
    """Validate the whole plan first, then apply each step and record it."""
    resolved = validate_plan(plan)
    result = PipelineResult(image=image)
    for operation, params in resolved:
        started = time.perf_counter()
        try:
            output = operation.apply(result.image, params)
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
            )
        )
    return result
