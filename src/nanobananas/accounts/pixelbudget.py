"""Pixel budgets for uploads: per request, and per owner per hour, counted in the rate-limit windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nanobananas.accounts.exceptions import LimitReached
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import RateWindow
from nanobananas.accounts.ratelimits import GUEST_ADDRESS_ALLOWANCE
from nanobananas.core.exceptions import DomainError

__all__ = [
    "BUDGET_WINDOW_SECONDS",
    "PixelBudgetExceeded",
    "TooManyPixels",
    "pixel_budget_spend",
    "request_pixels_check",
]

# An hour: long enough that a script cannot spread a flood thin, short enough that a person who
# uploads a burst of big photos can go on soon; rate_windows_purge drops the rows once it ends.
BUDGET_WINDOW_SECONDS = 3600


class TooManyPixels(DomainError):
    """One request carries more pixels than a request may (413): fewer or smaller pictures fit."""

    status_code = 413
    code = "too_many_pixels"


class PixelBudgetExceeded(LimitReached):
    """The owner has uploaded as many pixels as an hour allows (429, with `resets_at`)."""

    code = "pixel_budget_exceeded"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.3g}"


def request_pixels_check(*, pixels: int) -> None:
    """Refuse a request whose pictures add up to more than NANOBANANAS_UPLOAD_MEGAPIXELS_PER_REQUEST."""
    allowed = int(settings.NANOBANANAS["UPLOAD_MEGAPIXELS_PER_REQUEST"]) * 1_000_000
    if pixels > allowed:
        raise TooManyPixels(
            f"These pictures add up to {_megapixels(pixels)} megapixels; one message can carry at most "
            f"{_megapixels(allowed)}. Send fewer or smaller pictures."
        )


def pixel_budget_spend(
    *, owner: Owner, pixels: int, address_key: str | None = None, now: datetime | None = None
) -> None:
    """Count `pixels` against the owner's hourly budget (NANOBANANAS_UPLOAD_MEGAPIXELS_PER_HOUR), or raise
    PixelBudgetExceeded and count nothing. Spent before the pictures are decoded: decoding is the cost.

    A guest's pixels also count against its address (`address_key`, the pseudonym), which may spend
    GUEST_ADDRESS_ALLOWANCE guests' budgets: a new cookie does not bring a new budget.
    """
    allowed = int(settings.NANOBANANAS["UPLOAD_MEGAPIXELS_PER_HOUR"]) * 1_000_000
    epoch = int((now or timezone.now()).timestamp())
    window_start = datetime.fromtimestamp(epoch - epoch % BUDGET_WINDOW_SECONDS, tz=UTC)
    resets_at = window_start + timedelta(seconds=BUDGET_WINDOW_SECONDS)
    # Counted in thousands of pixels (rounded up): the counter column is a 32-bit integer on PostgreSQL.
    spend = -(-pixels // 1000)
    counters = [(f"pixels:{owner.key}", allowed // 1000)]
    if owner.user_id is None and address_key:
        counters.append((f"pixels:a:{address_key}", allowed * GUEST_ADDRESS_ALLOWANCE // 1000))
    with transaction.atomic():
        for key, room in counters:
            RateWindow.objects.bulk_create(
                [RateWindow(key=key, window_start=window_start, expires_at=resets_at)], ignore_conflicts=True
            )
            # One guarded UPDATE, like the quotas: concurrent requests cannot both fit in the last room.
            spent = RateWindow.objects.filter(key=key, window_start=window_start, count__lte=room - spend).update(
                count=F("count") + spend
            )
            if not spent:  # raised inside the transaction: a counter already passed is not kept either
                raise PixelBudgetExceeded(
                    f"You have uploaded {_megapixels(allowed)} megapixels of pictures this hour, the most an hour "
                    f"allows. Try again at {resets_at:%H:%M} UTC, or send smaller pictures.",
                    resets_at=resets_at,
                )
