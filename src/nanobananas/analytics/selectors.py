"""Analytics reads: what the data export holds (the events a surviving salt still ties to the owner, their
feedback and bug reports)."""

from __future__ import annotations

from typing import Any

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.analytics.models import BugReport, Event, Feedback, MonthlySalt
from nanobananas.analytics.services import pseudonym_of

__all__ = ["events_of_owner", "feedback_export"]


def events_of_owner(*, owner: Owner) -> list[dict[str, Any]]:
    """The events of `owner` that a salt not yet destroyed (this month's) still recognises, oldest first.
    Earlier months' events can no longer be told apart from anyone else's, so they cannot be exported."""
    pseudonyms = [pseudonym_of(owner, bytes(secret)) for secret in MonthlySalt.objects.values_list("secret", flat=True)]
    rows = Event.objects.filter(pseudonym__in=pseudonyms).order_by("at", "id")
    return [
        {"name": e.name, "at": e.at, "label": e.label, "operation": e.operation, "duration_ms": e.duration_ms}
        for e in rows
    ]


def feedback_export(*, owner: Owner) -> dict[str, list[dict[str, Any]]]:
    """The owner's ratings and bug reports, oldest first (`feedback.json` in the data export)."""
    feedback = Feedback.objects.filter(owner_filter(owner)).order_by("created_at", "id")
    reports = BugReport.objects.filter(owner_filter(owner)).order_by("created_at", "id")
    return {
        "feedback": [
            {"result_id": f.asset_id, "rating": f.rating, "reason": f.reason, "operation": f.operation,
             "provider": f.provider, "plan_sha256": f.plan_sha256, "created_at": f.created_at,
             "updated_at": f.updated_at}
            for f in feedback
        ],
        "bug_reports": [
            {"id": r.id, "text": r.text, "page": r.page, "conversation_id": r.conversation_id,
             "shared_until": r.shared_until, "created_at": r.created_at}
            for r in reports
        ],
    }  # fmt: skip
