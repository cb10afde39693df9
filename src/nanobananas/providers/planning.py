"""Planners: turn an English edit request into a decision — run a plan on the built-in engine (cheap,
private), send it to a generative provider, ask the user, or refuse.

The built-in planner is the engine's rule-based English planner. LLM planners (an OpenAI-compatible
chat endpoint or Gemini text) call a tool whose schema is the engine's `Plan` JSON schema; whatever they
return is validated against the op registry, and anything invalid falls back to the built-in planner.
Settings: PLANNERS = {alias: {BACKEND, OPTIONS}}, NANOBANANAS["PLANNER"] names the deployment's alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from nanobananas.core.backends import BackendHandler

__all__ = ["BuiltinPlanner", "PlanDecision", "Planner", "planner"]


@dataclass
class PlanDecision:
    """What to do with one request.

    kind: "builtin" (run `plan` on the engine), "generative" (a generative provider must do it; `reason`
    says why the engine cannot), "clarify" (ask `question`, offer `suggestions`).
    `planner` names who decided; `fallback` says why an LLM planner's answer was not used, if it was not.
    """

    kind: Literal["builtin", "generative", "clarify"]
    plan: dict[str, Any] | None = None
    reason: str = ""
    question: str = ""
    suggestions: list[str] = field(default_factory=list)
    planner: str = "builtin"
    fallback: str = ""


class Planner:
    name: ClassVar[str] = "base"
    third_party: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.options = options

    def decide(self, instruction: str, *, image_size: tuple[int, int] | None = None) -> PlanDecision:
        raise NotImplementedError

    def check(self) -> str:
        """A cheap call proving the planner answers; raises ProviderError when it does not."""
        return "ok (runs on this server)"

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "model": str(self.options.get("model", "")), "third_party": self.third_party}


class BuiltinPlanner(Planner):
    """The engine's English planner, offline and deterministic."""

    name = "builtin"

    def decide(self, instruction: str, *, image_size: tuple[int, int] | None = None) -> PlanDecision:
        from nanobananas.engine.plan import Clarification, Refusal
        from nanobananas.engine.planner import PlannerContext, plan_instruction

        context = PlannerContext(image_size=image_size) if image_size is not None else None
        outcome = plan_instruction(instruction, context=context)
        if isinstance(outcome, Refusal):
            return PlanDecision(kind="generative", reason=outcome.reason)
        if isinstance(outcome, Clarification):
            return PlanDecision(kind="clarify", question=outcome.question, suggestions=list(outcome.suggestions))
        return PlanDecision(kind="builtin", plan=outcome.model_dump(mode="json"))


planner: BackendHandler[Planner] = BackendHandler(
    setting="PLANNERS", kind="planner", base=Planner, default_key="PLANNER"
)
