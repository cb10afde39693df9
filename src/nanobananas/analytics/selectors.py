"""Analytics reads: the events a surviving salt still ties to one owner (for their data export)."""

from __future__ import annotations

from typing import Any

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.models import Event, MonthlySalt
from nanobananas.analytics.services import pseudonym_of

__all__ = ["events_of_owner"]


def events_of_owner(*, owner: Owner) -> list[dict[str, Any]]:
    """The events of `owner` that a salt not yet destroyed (this month's) still recognises, oldest first.
    Earlier months' events can no longer be told apart from anyone else's, so they cannot be exported."""
    pseudonyms = [pseudonym_of(owner, bytes(secret)) for secret in MonthlySalt.objects.values_list("secret", flat=True)]
    rows = Event.objects.filter(pseudonym__in=pseudonyms).order_by("at", "id")
    return [
        {"name": e.name, "at": e.at, "label": e.label, "operation": e.operation, "duration_ms": e.duration_ms}
        for e in rows
    ]
