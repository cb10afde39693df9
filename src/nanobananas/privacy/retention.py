"""How long generation data lives, by owner tier."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from nanobananas.accounts.identity import Owner

__all__ = ["retention_deadline"]


def retention_deadline(*, owner: Owner, created_at: datetime) -> datetime:
    """When an item made by `owner` at `created_at` expires (guests 24 h, signed-in users 48 h)."""
    policy = settings.NANOBANANAS
    hours = policy["GUEST_RETENTION_HOURS"] if owner.is_guest else policy["USER_RETENTION_HOURS"]
    return created_at + timedelta(hours=hours)
