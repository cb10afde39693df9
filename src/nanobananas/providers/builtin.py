"""The built-in offline provider: designs drawn by the engine's renderer, edits by its planner and ops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PIL import Image

from nanobananas.providers.base import (
    ClarificationNeeded,
    GeneratedImage,
    ImageProvider,
    ProgressCallback,
    ProviderError,
    ProviderRefused,
    Turn,
)

__all__ = ["NEEDS_GENERATIVE_PROVIDER", "BuiltinProvider"]

NEEDS_GENERATIVE_PROVIDER = (
    "This needs a generative image model, which this server does not have configured "
    "(an operator can set NANOBANANAS_IMAGE_PROVIDER to gemini or openai)."
)


class BuiltinProvider(ImageProvider):
    name = "builtin"
    label = "this server"
    can_generate = True
    can_edit = True

    @property
    def model(self) -> str:
        return "nanobananas-engine"

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        from nanobananas.engine.errors import EngineError, NeedsProviderError
        from nanobananas.engine.render import render_design

        progress(20, "Reading your request")
        try:
            design = render_design(prompt, size=size)
        except NeedsProviderError as exc:
            raise ProviderRefused(str(exc), code="needs_provider") from exc
        except EngineError as exc:
            raise ProviderRefused(str(exc), code="bad_request") from exc
        progress(80, "Drawing the design")
        return GeneratedImage(
            image=design.image,
            provider=self.name,
            model="nanobananas-render",
            details={"spec": _jsonable(design.spec)},
        )

    def edit(
        self,
        *,
        image: Image.Image,
        instruction: str,
        progress: ProgressCallback,
        plan: dict[str, Any] | None = None,
        images: Sequence[Image.Image] = (),
        mask: Image.Image | None = None,
        history: Sequence[Turn] = (),
    ) -> GeneratedImage:
        from nanobananas.engine.errors import EngineError
        from nanobananas.engine.pipeline import run_plan
        from nanobananas.engine.plan import Clarification, Plan, Refusal
        from nanobananas.engine.planner import plan_instruction

        progress(15, "Understanding your request")
        outcome = Plan.model_validate(plan) if plan is not None else plan_instruction(instruction)
        if isinstance(outcome, Refusal):
            raise ProviderRefused(f"{outcome.reason} {NEEDS_GENERATIVE_PROVIDER}", code="needs_provider")
        if isinstance(outcome, Clarification):
            raise ClarificationNeeded(outcome.question, outcome.suggestions)
        progress(35, "Editing the image")
        try:
            result = run_plan(image, outcome)
        except EngineError as exc:
            raise ProviderError(str(exc)) from exc
        return GeneratedImage(
            image=result.image,
            provider=self.name,
            model="nanobananas-engine",
            details={
                "plan": outcome.model_dump(mode="json"),
                "steps": [
                    {"op": s.op, "version": s.version, "params": s.params, "milliseconds": s.milliseconds}
                    for s in result.steps
                ],
            },
        )


def _jsonable(spec: object) -> object:
    dump = getattr(spec, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return str(spec)
