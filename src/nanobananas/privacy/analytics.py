"""First-party analytics: names and small properties, never content; only while the person's setting is on."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.privacy.models import AnalyticsEvent
from nanobananas.privacy.selectors import analytics_allowed

__all__ = ["ANALYTICS_EVENTS", "ANALYTICS_LIFETIME_MONTHS", "PROP_TEXT_LIMIT", "analytics_expire", "analytics_record"]


# Each event name with the properties it may carry: counts, flags and short codes only.
ANALYTICS_EVENTS: dict[str, frozenset[str]] = {
    "page_view": frozenset({"page"}),
    "image_made": frozenset({"operation", "provider"}),
    "export_requested": frozenset(),
}
ANALYTICS_LIFETIME_MONTHS = 13
PROP_TEXT_LIMIT = 40


def analytics_record(owner: Owner | None, name: str, **props: str | int | bool) -> AnalyticsEvent | None:
    """Record one usage event for `owner`; nothing at all while their analytics setting is off (the default)."""
    allowed = ANALYTICS_EVENTS.get(name)
    if allowed is None:
        raise ValueError(f"unknown analytics event {name!r}")
    extra = set(props) - allowed
    if extra:
        raise ValueError(f"analytics event {name!r} takes no property {sorted(extra)}")
    for key, value in props.items():
        if not isinstance(value, str | int | bool):
            raise ValueError(f"analytics property {key!r} must be a flag, a number or a short code")
    if owner is None or not analytics_allowed(owner):
        return None
    # Codes only: a longer text is cut, so no free text (and no content) can ride along.
    clean = {key: value[:PROP_TEXT_LIMIT] if isinstance(value, str) else value for key, value in props.items()}
    return AnalyticsEvent.objects.create(
        owner_user_id=owner.user_id, owner_guest_id=owner.guest_id, name=name, props=clean, at=timezone.now()
    )


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # The same day of the month, or the month's last day (31 March minus one month is 28/29 February).
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def analytics_expire(*, now: datetime | None = None) -> int:
    """Delete usage events older than 13 months. Returns how many."""
    cutoff = _months_before(now or timezone.now(), ANALYTICS_LIFETIME_MONTHS)
    deleted, _ = AnalyticsEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
