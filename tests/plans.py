"""Plans for tests that run a cloud provider for guests and free users, whose seeded plans list only the
built-in engine (`Plan.allowed_providers`)."""

from __future__ import annotations

from nanobananas.accounts.models import Plan
from nanobananas.accounts.plans import PLAN_DEFAULTS

__all__ = ["plans_allow"]


def plans_allow(*providers: str) -> None:
    """Every plan lists `providers` besides its own (rows a flush removed are seeded again)."""
    for code, defaults in PLAN_DEFAULTS.items():
        plan = Plan.objects.filter(code=code).first() or Plan(code=code, **defaults)
        plan.allowed_providers = [*plan.allowed_providers, *(p for p in providers if p not in plan.allowed_providers)]
        plan.save()
