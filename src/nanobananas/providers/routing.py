"""Which providers serve one owner's request: the local engine, a generative service, and a planner.

A generative (third-party) provider is used only when the deployment configured one as its image
provider and the owner has not chosen "never send my content to third-party AI services"; an LLM
planner that runs at a third party is skipped for such an owner too (the built-in planner decides).
"""

from __future__ import annotations

from dataclasses import dataclass

from nanobananas.accounts.identity import Owner
from nanobananas.providers.base import ImageProvider
from nanobananas.providers.builtin import NEEDS_GENERATIVE_PROVIDER
from nanobananas.providers.handler import image_provider
from nanobananas.providers.planning import BuiltinPlanner, Planner, planner

__all__ = ["THIRD_PARTY_DISABLED", "Providers", "providers_for"]

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


def _third_party_allowed(owner: Owner | None) -> bool:
    if owner is None:
        return True
    from nanobananas.privacy.selectors import third_party_ai_allowed

    return third_party_ai_allowed(owner)


def providers_for(owner: Owner | None) -> Providers:
    """The providers for `owner` (None: an operator at the CLI, who may use what is configured)."""
    default = image_provider()
    allowed = _third_party_allowed(owner)
    if default.third_party:
        local = image_provider("builtin")
        generative = default if allowed else None
        unavailable = "" if allowed else THIRD_PARTY_DISABLED
    else:
        local, generative, unavailable = default, None, NEEDS_GENERATIVE_PROVIDER
    chosen = planner()
    if chosen.third_party and not allowed:
        chosen = BuiltinPlanner()
    return Providers(local=local, generative=generative, planner=chosen, unavailable=unavailable)
