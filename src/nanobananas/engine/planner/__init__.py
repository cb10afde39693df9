"""The English instruction planner: plain text in, a Plan (or a Refusal or a Clarification) out."""

from __future__ import annotations

from nanobananas.engine.planner.core import EXAMPLES, PLANNER_VERSION, PlannerContext, plan_instruction

__all__ = ["EXAMPLES", "PLANNER_VERSION", "PlannerContext", "plan_instruction"]
