"""Which providers serve one owner's request: the local engine, a generative service, and a planner.

A generative (third-party) provider is used only when the deployment configured one as its image
provider, the owner has not chosen "never send my content to third-party AI services", and the owner's
plan lists it (`Plan.allowed_providers`, by provider name). Otherwise the built-in engine does what it
can, and what only a generative model can make is refused with `unavailable` saying why. An LLM planner
that runs at a third party is skipped for an owner who said never (the built-in planner decides); the
plan does not choose the planner, which is the deployment's.
"""

from __future__ import annotations

from dataclasses import dataclass

from nanobananas.accounts.identity import Owner
from nanobananas.providers.base import ImageProvider
from nanobananas.providers.builtin import NEEDS_GENERATIVE_PROVIDER
from nanobananas.providers.handler import image_provider
from nanobananas.providers.planning import BuiltinPlanner, Planner, planner

__all__ = ["THIRD_PARTY_DISABLED", "Providers", "providers_for"]

NOT_IN_PLAN = (
    "This needs a generative model at a third-party AI service ({label}), which the {plan} plan does not include"
)

THIRD_PARTY_DISABLED = (
    "This needs a generative image model at a third-party AI service, and your privacy settings say never to "
    "send your content to one (Me → Privacy), so only this server's built-in engine was used."
)


@dataclass(frozen=True)
class Providers:
    local: ImageProvider
    """Runs on this server: the built-in engine (or the test fake)."""
    generative: ImageProvider | None
    """The third-party generative provider this owner may use, if any."""
    planner: Planner
    unavailable: str
    """Why `generative` is None, written for the user ("" when it is available)."""
    unavailable_code: str = ""
    """Why, for the API: "needs_provider" (none configured), "third_party_disabled" (the owner's privacy
    setting) or "provider_not_in_plan"; "" when it is available."""


def _third_party_allowed(owner: Owner | None) -> bool:
    if owner is None:
        return True
    from nanobananas.privacy.selectors import third_party_ai_allowed

    return third_party_ai_allowed(owner)


def _not_in_plan(owner: Owner | None, provider: ImageProvider) -> str:
    """Why `owner`'s plan rules `provider` out, for the user; "" when it allows it (or for the CLI)."""
    if owner is None:
        return ""
    from nanobananas.accounts.models import Plan
    from nanobananas.accounts.selectors import plan_for

    plan = plan_for(owner=owner)
    if provider.name in plan.allowed_providers:
        return ""
    message = NOT_IN_PLAN.format(label=provider.label, plan=plan.name)
    including = [row.name for row in Plan.objects.order_by("id") if provider.name in row.allowed_providers]
    if including:
        message += f" ({' and '.join(including)} {'does' if len(including) == 1 else 'do'})"
    return message + ", so only this server's built-in engine was used."


def providers_for(owner: Owner | None) -> Providers:
    """The providers for `owner` (None: an operator at the CLI, who may use what is configured)."""
    default = image_provider()
    allowed = _third_party_allowed(owner)
    code = ""
    if default.third_party:
        local = image_provider("builtin")
        generative: ImageProvider | None = default if allowed else None
        unavailable = "" if allowed else THIRD_PARTY_DISABLED
        code = "" if allowed else "third_party_disabled"
        if generative is not None and (refusal := _not_in_plan(owner, generative)):
            generative, unavailable, code = None, refusal, "provider_not_in_plan"
    else:
        local, generative, unavailable, code = default, None, NEEDS_GENERATIVE_PROVIDER, "needs_provider"
    chosen = planner()
    if chosen.third_party and not allowed:
        chosen = BuiltinPlanner()
    return Providers(local=local, generative=generative, planner=chosen, unavailable=unavailable, unavailable_code=code)
