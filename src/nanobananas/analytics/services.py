"""Analytics writes: record an event (off the request path), store it under the month's pseudonym, build daily
aggregates, purge raw events after NANOBANANAS_ANALYTICS_RAW_DAYS, destroy a month's salt once it is over."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.models import DailyAggregate, Event, MonthlySalt
from nanobananas.privacy.selectors import analytics_allowed
from nanobananas.registry.jobs import job_enqueue_on_commit

__all__ = [
    "ACTIVE_OWNERS",
    "ANALYTICS_EVENTS",
    "STORE_EVENT_JOB",
    "EventSpec",
    "aggregates_build",
    "aggregates_refresh",
    "analytics_record",
    "browser_family",
    "device_class",
    "event_store",
    "events_erase_for_owner",
    "events_purge",
    "month_of",
    "percentile",
    "pseudonym_of",
    "salt_get",
    "salts_destroy",
]

ACTIVE_OWNERS = "active_owners"
# The job that stores one queued event, enqueued by name (tasks.py registers it) so this module needs no tasks.
STORE_EVENT_JOB = "analytics.store_event"
# A property that is not a short code (letters, digits, _ . : -) is a programming error: no text rides along.
CODE = re.compile(r"[A-Za-z0-9_.:-]{0,40}")


@dataclass(frozen=True)
class EventSpec:
    """What one event may carry: the property that is its one dimension, an operation, a duration."""

    label: str | None = None
    operation: bool = False
    duration: bool = False

    def properties(self) -> set[str]:
        names = {self.label} if self.label else set()
        return names | ({"operation"} if self.operation else set()) | ({"duration_ms"} if self.duration else set())


ANALYTICS_EVENTS: dict[str, EventSpec] = {
    "section_viewed": EventSpec(label="section"),
    "generation_requested": EventSpec(label="section"),
    "generation_completed": EventSpec(label="provider", operation=True, duration=True),
    "tool_used": EventSpec(label="tool"),
    "video_made": EventSpec(label="provider", duration=True),
    "export_requested": EventSpec(),
    "signed_up": EventSpec(label="source"),
    "upgraded": EventSpec(label="plan"),
    "error": EventSpec(label="kind", operation=True),
}


def browser_family(user_agent: str) -> str:
    """The browser's family from a User-Agent header (the header itself is never kept)."""
    agent = user_agent.lower()
    for marker, family in (("edg/", "edge"), ("opr/", "opera"), ("firefox/", "firefox"), ("chrome/", "chrome")):
        if marker in agent:
            return family
    if "safari/" in agent:
        return "safari"
    return "other" if agent else ""


def device_class(user_agent: str) -> str:
    agent = user_agent.lower()
    if not agent:
        return ""
    if "ipad" in agent or "tablet" in agent or ("android" in agent and "mobile" not in agent):
        return "tablet"
    return "mobile" if "mobi" in agent or "iphone" in agent else "desktop"


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def salt_get(*, month: str, create: bool) -> bytes | None:
    """The month's secret; created on first use for the current month only (a destroyed month stays gone)."""
    if create:
        salt, _ = MonthlySalt.objects.get_or_create(
            month=month, defaults={"secret": secrets.token_bytes(32), "created_at": timezone.now()}
        )
        return bytes(salt.secret)
    secret = MonthlySalt.objects.filter(month=month).values_list("secret", flat=True).first()
    return None if secret is None else bytes(secret)


def pseudonym_of(owner: Owner, secret: bytes) -> str:
    return hmac.new(secret, owner.key.encode(), hashlib.sha256).hexdigest()


def _validated(name: str, props: dict[str, Any]) -> EventSpec:
    spec = ANALYTICS_EVENTS.get(name)
    if spec is None:
        raise ValueError(f"unknown analytics event {name!r}")
    extra = set(props) - spec.properties()
    if extra:
        raise ValueError(f"analytics event {name!r} takes no property {sorted(extra)}")
    for key, value in props.items():
        if key == "duration_ms":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("analytics property 'duration_ms' must be a whole number of milliseconds")
        elif not isinstance(value, str) or not CODE.fullmatch(value):
            raise ValueError(f"analytics property {key!r} must be a short code, not text")
    return spec


def analytics_record(owner: Owner | None, name: str, *, user_agent: str = "", **props: str | int) -> bool:
    """Record one usage event for `owner` after the current transaction commits, through a task, and only
    while their analytics setting is on (off by default, guests too). True when an event was queued.

    Only the browser family and device class are taken from `user_agent`; the owner's id travels to the task,
    which checks the setting again and stores the month's pseudonym instead."""
    spec = _validated(name, props)
    if owner is None or not analytics_allowed(owner):
        return False
    label = str(props.get(spec.label, "")) if spec.label else ""
    payload = {
        "event_id": str(uuid.uuid4()),
        "user_id": owner.user_id,
        "guest_id": str(owner.guest_id) if owner.guest_id else None,
        "name": name,
        "label": label,
        "operation": str(props.get("operation", "")),
        "duration_ms": props.get("duration_ms"),
        "browser": browser_family(user_agent),
        "device": device_class(user_agent),
        "at": timezone.now().isoformat(),
    }
    job_enqueue_on_commit(STORE_EVENT_JOB, payload)
    return True


def event_store(*, payload: dict[str, Any]) -> Event | None:
    """Store one queued event under its month's pseudonym; nothing when the owner switched analytics off in
    the meantime, when the month's salt is already destroyed, or when it was stored before."""
    guest_id = payload.get("guest_id")
    owner = Owner(user_id=payload.get("user_id"), guest_id=uuid.UUID(guest_id) if guest_id else None)
    at = parse_datetime(payload["at"])
    if at is None:
        raise ValueError(f"not a time: {payload['at']!r}")
    spec = _validated(payload["name"], {})
    if not analytics_allowed(owner):
        return None
    month = month_of(at.astimezone(timezone.get_current_timezone()))
    secret = salt_get(month=month, create=month == month_of(timezone.now()))
    if secret is None:
        return None
    duration = payload.get("duration_ms") if spec.duration else None
    event = Event(
        event_id=uuid.UUID(payload["event_id"]),
        name=payload["name"],
        pseudonym=pseudonym_of(owner, secret),
        owner_kind=Event.OwnerKind.GUEST if owner.is_guest else Event.OwnerKind.ACCOUNT,
        label=payload.get("label", "")[:40],
        operation=payload.get("operation", "")[:40],
        duration_ms=duration,
        browser=payload.get("browser", "")[:16],
        device=payload.get("device", "")[:8],
        # To the minute: the order of one person's clicks within a minute is nobody's business.
        at=at.replace(second=0, microsecond=0),
        day=timezone.localdate(at),
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        return None
    return event


def percentile(values: list[int], percent: int) -> int | None:
    """The nearest-rank percentile: the smallest value with at least `percent`% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[rank - 1]


@transaction.atomic
def aggregates_build(*, day: date) -> int:
    """(Re)compute one day's aggregates from its raw events. A day without raw events keeps what it has
    (its events may be purged already). Returns the number of aggregate rows."""
    rows = list(Event.objects.filter(day=day).values_list("name", "label", "duration_ms", "pseudonym", "owner_kind"))
    if not rows:
        return DailyAggregate.objects.filter(day=day).count()
    durations: dict[tuple[str, str], list[int]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    owners: dict[str, set[str]] = defaultdict(set)
    for name, label, duration, pseudonym, kind in rows:
        keys = [(name, "")] + ([(name, label)] if label else [])
        for key in keys:
            counts[key] += 1
            if duration is not None:
                durations[key].append(duration)
        owners[""].add(pseudonym)
        owners[kind].add(pseudonym)
    now = timezone.now()
    aggregates = [
        DailyAggregate(
            day=day, metric=metric, dimension=dimension, count=count, computed_at=now,
            p50_ms=percentile(durations[(metric, dimension)], 50),
            p95_ms=percentile(durations[(metric, dimension)], 95),
        )
        for (metric, dimension), count in sorted(counts.items())
    ]  # fmt: skip
    aggregates += [
        DailyAggregate(day=day, metric=ACTIVE_OWNERS, dimension=kind, count=len(seen), computed_at=now)
        for kind, seen in sorted(owners.items())
    ]
    DailyAggregate.objects.filter(day=day).delete()
    DailyAggregate.objects.bulk_create(aggregates)
    return len(aggregates)


def aggregates_refresh(*, now: datetime | None = None) -> list[date]:
    """Rebuild today's and yesterday's aggregates, and those of any other day with raw events and none yet
    (a worker that was down for days catches up). Returns the days rebuilt."""
    today = timezone.localdate(now or timezone.now())
    event_days = set(Event.objects.values_list("day", flat=True).distinct())
    built = set(DailyAggregate.objects.filter(day__in=event_days).values_list("day", flat=True).distinct())
    days = sorted((event_days - built) | ({today, today - timedelta(days=1)} & event_days))
    for day in days:
        aggregates_build(day=day)
    return days


def events_purge(*, now: datetime | None = None) -> int:
    """Delete raw events older than NANOBANANAS_ANALYTICS_RAW_DAYS. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NANOBANANAS["ANALYTICS_RAW_DAYS"])
    deleted, _ = Event.objects.filter(at__lt=cutoff).delete()
    return deleted


def salts_destroy(*, now: datetime | None = None) -> int:
    """Destroy the salt of every month before the current one. Returns how many."""
    deleted, _ = MonthlySalt.objects.filter(month__lt=month_of(timezone.localtime(now or timezone.now()))).delete()
    return deleted


def events_erase_for_owner(owner: Owner) -> int:
    """Delete the events the surviving salts still tie to `owner` (their current month): after this, no
    stored secret can tie any remaining event to them. Returns how many."""
    secrets_left = MonthlySalt.objects.values_list("secret", flat=True)
    pseudonyms = [pseudonym_of(owner, bytes(secret)) for secret in secrets_left]
    deleted, _ = Event.objects.filter(pseudonym__in=pseudonyms).delete()
    return deleted
