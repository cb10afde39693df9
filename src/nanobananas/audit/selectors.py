"""Reads for the audit log: searches for investigations."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from nanobananas.audit.models import AuditEvent

__all__ = ["audit_search"]


def _moment(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(f"--since must be an ISO date or time, e.g. 2026-11-01; got {text!r}")
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_search(
    *, owner_key: str | None = None, since: str | None = None, kind: str | None = None, limit: int = 100
) -> QuerySet[AuditEvent]:
    """Events matching every given filter, oldest first. `kind` matches exactly or as a dotted prefix."""
    events = AuditEvent.objects.all()
    if owner_key:
        events = events.filter(owner_key=owner_key)
    if since:
        events = events.filter(at__gte=_moment(since))
    if kind:
        events = events.filter(kind=kind) | events.filter(kind__startswith=f"{kind}.")
    return events.order_by("id")[: max(1, limit)]
