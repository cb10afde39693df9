"""The review pipeline: run the configured checks on a text or an image and aggregate a Verdict;
map a provider's refusal into the same categories."""

from __future__ import annotations

from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.moderation.checks import moderation_checks
from nanobananas.moderation.verdict import Action, CheckResult, Verdict
from nanobananas.providers.base import ProviderRefused

__all__ = ["SAFETY_CODES", "review_image", "review_text", "verdict_from_provider_refusal"]

# Refusal codes that are a provider's safety verdict (others, like "needs_provider", are not).
SAFETY_CODES = {"blocked_prompt", "image_safety", "prohibited_content", "moderation_blocked", "safety"}

# Words in a provider's category name -> our category; the first that appears wins.
_PROVIDER_CATEGORY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("minor", "child", "csam", "csem"), "sexual_minors"),
    (("self_harm", "selfharm", "self-harm", "suicide"), "self_harm"),
    (("graphic",), "graphic_violence"),
    (("hate",), "hate"),
    (("harass",), "harassment"),
    (("dangerous", "weapon", "illicit"), "weapons"),
    (("sexual", "sexually", "nudity", "adult"), "sexual"),
    (("violence", "violent"), "violence"),
)


def review_text(text: str, *, owner: Owner | None) -> Verdict:
    """Every configured check's answer on a prompt; an empty text is allowed without asking."""
    if not text.strip():
        return Verdict()
    results: list[CheckResult] = []
    for check in moderation_checks():
        results.extend(check.review_text(text, owner=owner))
    return Verdict(tuple(results))


def review_image(image: Image.Image, *, owner: Owner | None) -> Verdict:
    results: list[CheckResult] = []
    for check in moderation_checks():
        results.extend(check.review_image(image, owner=owner))
    return Verdict(tuple(results))


def _provider_category(raw: str) -> str:
    lowered = raw.strip().lower().replace(" ", "_")
    for words, category in _PROVIDER_CATEGORY_WORDS:
        if any(word in lowered for word in words):
            return category
    return "provider_policy"


def verdict_from_provider_refusal(exc: ProviderRefused) -> Verdict:
    """A provider's safety refusal as a block in our categories; any other refusal is no verdict."""
    if exc.code not in SAFETY_CODES and not exc.category:
        return Verdict()
    category = _provider_category(exc.category) if exc.category else "provider_policy"
    rule = f"provider:{exc.code}" + (f":{exc.category}" if exc.category else "")
    return Verdict((CheckResult(check="provider", action=Action.BLOCK, category=category, score=1.0, rule=rule),))
