"""Reads for identities: plans, retention, quota status, profiles and sessions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.accounts.models import Plan, Profile, QuotaUsage, UserSession
from nanobananas.accounts.plans import PLAN_DEFAULTS, QUOTA_KINDS
from nanobananas.core.exceptions import InvalidInput

__all__ = [
    "QuotaStatus",
    "QuotaWindow",
    "plan_for",
    "plan_get",
    "plan_list",
    "profile_for",
    "quota_status",
    "quota_windows",
    "retention_hours_for",
    "session_list",
    "user_find_for_login",
]


def plan_get(*, code: str) -> Plan:
    """The plan row; if an operator (or a test flush) removed it, the seeded values, unsaved."""
    plan = Plan.objects.filter(code=code).first()
    if plan is not None:
        return plan
    return Plan(code=code, **PLAN_DEFAULTS[code])


def plan_list() -> list[Plan]:
    return [plan_get(code=code) for code in PLAN_DEFAULTS]


def profile_for(*, user_id: int) -> Profile | None:
    return Profile.objects.select_related("plan").filter(user_id=user_id).first()


def plan_for(*, owner: Owner) -> Plan:
    """Guests have the Guest plan; users the plan on their profile, Free when it names none."""
    if owner.user_id is None:
        return plan_get(code=Plan.GUEST)
    profile = profile_for(user_id=owner.user_id)
    if profile is not None and profile.plan is not None:
        return profile.plan
    return plan_get(code=Plan.FREE)


def retention_hours_for(*, owner: Owner) -> int:
    """How long `owner`'s new images live: 24 guest, 48 free, 48 or 168 for Pro by the user's choice."""
    plan = plan_for(owner=owner)
    if owner.user_id is None:
        return plan.default_retention_hours
    chosen = Profile.objects.filter(user_id=owner.user_id).values_list("retention_hours", flat=True).first()
    if chosen is not None and chosen in plan.retention_hours_options:
        return int(chosen)
    return plan.default_retention_hours


@dataclass(frozen=True)
class QuotaWindow:
    """One counting window (a UTC day or a calendar month) and its limit."""

    window: str
    period_start: date
    resets_at: datetime
    limit: int


def _month_start(day: date) -> date:
    return day.replace(day=1)


def quota_windows(*, plan: Plan, kind: str, now: datetime | None = None) -> list[QuotaWindow]:
    """The day and month windows that `now` falls in, with `plan`'s limits for `kind`."""
    if kind not in QUOTA_KINDS:
        raise InvalidInput(f"Unknown quota kind {kind!r}.", code="unknown_quota_kind")
    daily_field, monthly_field, _, _ = QUOTA_KINDS[kind]
    today = (now or timezone.now()).astimezone(UTC).date()
    tomorrow = today + timedelta(days=1)
    month = _month_start(today)
    next_month = month + timedelta(days=calendar.monthrange(month.year, month.month)[1])
    return [
        QuotaWindow(
            window=QuotaUsage.Window.DAY,
            period_start=today,
            resets_at=datetime.combine(tomorrow, time(), tzinfo=UTC),
            limit=int(getattr(plan, daily_field)),
        ),
        QuotaWindow(
            window=QuotaUsage.Window.MONTH,
            period_start=month,
            resets_at=datetime.combine(next_month, time(), tzinfo=UTC),
            limit=int(getattr(plan, monthly_field)),
        ),
    ]


@dataclass(frozen=True)
class QuotaStatus:
    """What is left of one kind today and this month; `left` is the smaller of the two."""

    kind: str
    plan: str
    daily_limit: int
    daily_used: int
    monthly_limit: int
    monthly_used: int
    resets_at: datetime

    @property
    def left(self) -> int:
        return max(0, min(self.daily_limit - self.daily_used, self.monthly_limit - self.monthly_used))

    @property
    def summary(self) -> str:
        """E.g. "12 of 50 images left today"."""
        _, _, one, many = QUOTA_KINDS[self.kind]
        today_left = max(0, self.daily_limit - self.daily_used)
        text = f"{today_left} of {self.daily_limit} {one if self.daily_limit == 1 else many} left today"
        if self.left < today_left:
            text += f" ({self.left} left this month)"
        return text


def quota_status(*, owner: Owner | None, kind: str = "image", now: datetime | None = None) -> QuotaStatus:
    """How much `owner` (a visitor without a guest yet counts as a fresh guest) may still make."""
    plan = plan_for(owner=owner) if owner is not None else plan_get(code=Plan.GUEST)
    day, month = quota_windows(plan=plan, kind=kind, now=now)
    used = {day.window: 0, month.window: 0}
    if owner is not None:
        rows = QuotaUsage.objects.filter(owner_filter(owner), kind=kind).filter(
            Q(window=day.window, period_start=day.period_start)
            | Q(window=month.window, period_start=month.period_start)
        )
        for window, count in rows.values_list("window", "used"):
            used[window] = count
    return QuotaStatus(
        kind=kind,
        plan=plan.name,
        daily_limit=day.limit,
        daily_used=used[day.window],
        monthly_limit=month.limit,
        monthly_used=used[month.window],
        resets_at=day.resets_at,
    )


def user_find_for_login(*, identifier: str) -> User | None:
    """The active account whose email or username is `identifier` (case-insensitive)."""
    identifier = identifier.strip()
    if not identifier:
        return None
    field = "email" if "@" in identifier else "username"
    matches = list(User.objects.filter(**{f"{field}__iexact": identifier})[:2])
    # Two accounts differing only in case (made before this rule) are ambiguous: neither logs in by name.
    return matches[0] if len(matches) == 1 else None


def session_list(*, user_id: int) -> QuerySet[UserSession]:
    """The user's live sessions, most recently signed in first."""
    return UserSession.objects.filter(user_id=user_id, expire_date__gt=timezone.now()).order_by(
        "-signed_in_at", "-expire_date"
    )
