"""Fixed-window counters for rate limits and per-address allowances (one guarded UPDATE per key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nanobananas.accounts.exceptions import RateLimited
from nanobananas.accounts.models import RateWindow
from nanobananas.accounts.ratelimits import RATE_LIMITS

__all__ = ["rate_limit_hit", "rate_windows_purge", "window_count"]


class HasKey(Protocol):
    """An owner as the counters see it: only its key (`identity.Owner`, which imports this module)."""

    @property
    def key(self) -> str: ...


def window_count(*, key: str, window_start: datetime, expires_at: datetime, allowed: int) -> bool:
    """Count one for `key` in the window starting at `window_start`; False (nothing counted) when it is full."""
    RateWindow.objects.bulk_create(
        [RateWindow(key=key, window_start=window_start, expires_at=expires_at)], ignore_conflicts=True
    )
    counted = RateWindow.objects.filter(key=key, window_start=window_start, count__lt=allowed).update(
        count=F("count") + 1
    )
    return bool(counted)


def rate_limit_hit(*, scope: str, owner: HasKey | None, address_key: str | None, now: datetime | None = None) -> None:
    """Count one request of `scope` for the owner and for the address, or raise `RateLimited` (429).

    `address_key` is the address's pseudonym (`ratelimits.address_key`), never the address itself. Fixed
    windows, one guarded UPDATE per key like the quotas; a refused request is not counted.
    """
    limit = RATE_LIMITS[scope]
    epoch = int((now or timezone.now()).timestamp())
    window_start = datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=UTC)
    resets_at = window_start + timedelta(seconds=limit.seconds)
    keys = []
    if owner is not None:
        keys.append((f"{scope}:{owner.key}", limit.per_owner))
    if address_key:
        keys.append((f"{scope}:a:{address_key}", limit.per_address))
    with transaction.atomic():
        for key, allowed in keys:
            if not window_count(key=key, window_start=window_start, expires_at=resets_at, allowed=allowed):
                raise RateLimited(
                    f"Too many {limit.what} in a short time. Try again at {resets_at:%H:%M:%S} UTC.",
                    resets_at=resets_at,
                )


def rate_windows_purge(*, now: datetime | None = None) -> int:
    """Delete the counters of rate windows (and guest address days) that have ended; returns rows deleted."""
    deleted, _ = RateWindow.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
