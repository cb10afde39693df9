"""Review outcomes: each check's result and the verdict that aggregates them (block beats flag beats allow).

Django-free. A verdict carries categories, scores and rule ids, never the text or pixels it judged, so
it can be written to the audit log as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

__all__ = ["CATEGORIES", "Action", "CheckResult", "Verdict", "category_label"]


class Action(IntEnum):
    """Ordered by severity, so the verdict is the maximum of its checks' actions."""

    ALLOW = 0
    FLAG = 1
    BLOCK = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Action:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"an action is allow, flag or block; got {text!r}") from None


# Category -> what the user reads ("this looks like ..."). Provider and endpoint verdicts map into these.
CATEGORIES: dict[str, str] = {
    "sexual_minors": "sexual content involving minors",
    "graphic_violence": "graphic violence",
    "hate": "hateful content",
    "self_harm": "self-harm",
    "weapons": "instructions for weapons",
    "personal_data": "personal data (such as an email address or a phone number)",
    "sexual": "sexual content",
    "violence": "violent content",
    "harassment": "harassment",
    "known_image": "an image on this site's list of prohibited images",
    "custom": "content this site does not allow",
    "provider_policy": "content the AI provider does not allow",
}


def category_label(category: str) -> str:
    return CATEGORIES.get(category, CATEGORIES["custom"])


@dataclass(frozen=True)
class CheckResult:
    """One check's answer. `rule` names what matched (a term list line, a known image id), never content."""

    check: str
    action: Action = Action.ALLOW
    category: str = ""
    score: float = 0.0
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "action": self.action.label,
            "category": self.category,
            "score": round(self.score, 4),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Verdict:
    results: tuple[CheckResult, ...] = field(default_factory=tuple)

    @property
    def action(self) -> Action:
        return max((r.action for r in self.results), default=Action.ALLOW)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def flagged(self) -> bool:
        return self.action is Action.FLAG

    @property
    def deciding(self) -> list[CheckResult]:
        """The results that set the verdict's action, highest score first."""
        top = self.action
        if top is Action.ALLOW:
            return []
        return sorted((r for r in self.results if r.action is top), key=lambda r: -r.score)

    @property
    def category(self) -> str:
        deciding = self.deciding
        return deciding[0].category if deciding else ""

    @property
    def categories(self) -> list[str]:
        return sorted({r.category for r in self.results if r.action is not Action.ALLOW and r.category})

    @property
    def score(self) -> float:
        return max((r.score for r in self.results if r.action is not Action.ALLOW), default=0.0)

    def merged(self, other: Verdict) -> Verdict:
        return Verdict(self.results + other.results)

    def as_dict(self) -> dict[str, Any]:
        """For the audit log and the review queue: the action, categories and every check's result."""
        return {
            "action": self.action.label,
            "categories": self.categories,
            "checks": [r.as_dict() for r in self.results if r.action is not Action.ALLOW],
        }
