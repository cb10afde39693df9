"""How long things live, by owner tier: images and other generation data, and conversation text."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from nanobananas.accounts.identity import Owner

__all__ = ["image_retention", "retention_deadline", "text_deadline", "text_retention"]


def image_retention(*, owner: Owner) -> timedelta:
    """Guests 24 h; signed-in users 48 h (the paid 7-day choice comes with plans)."""
    policy = settings.NANOBANANAS
    hours = policy["GUEST_RETENTION_HOURS"] if owner.is_guest else policy["USER_RETENTION_HOURS"]
    return timedelta(hours=hours)


def text_retention(*, owner: Owner) -> timedelta:
    """Conversation text: 12 months for signed-in users; a guest's text goes with their 24 h."""
    if owner.is_guest:
        return timedelta(hours=settings.NANOBANANAS["GUEST_RETENTION_HOURS"])
    return timedelta(days=settings.NANOBANANAS["TEXT_RETENTION_DAYS"])


def retention_deadline(*, owner: Owner, created_at: datetime) -> datetime:
    """When an image (or any generation data) made by `owner` at `created_at` expires."""
    return created_at + image_retention(owner=owner)


def text_deadline(*, owner: Owner, created_at: datetime) -> datetime:
    """When a message written at `created_at` in `owner`'s conversation expires."""
    return created_at + text_retention(owner=owner)
