"""How long things live, by owner tier: images and other generation data, and conversation text."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from nanobananas.accounts.identity import Owner

__all__ = ["guest_lifetime", "image_retention", "retention_deadline", "text_deadline", "text_retention"]


def image_retention(*, owner: Owner) -> timedelta:
    """By plan (admin-editable data): guests 24 h, Free 48 h, Pro 48 h or 7 days by the user's choice."""
    from nanobananas.accounts.selectors import retention_hours_for

    return timedelta(hours=retention_hours_for(owner=owner))


def guest_lifetime() -> timedelta:
    """How long a guest's things live: the guest plan's image retention (24 h by default)."""
    from nanobananas.accounts.selectors import plan_get

    return timedelta(hours=plan_get(code="guest").default_retention_hours)


def text_retention(*, owner: Owner) -> timedelta:
    """Conversation text: 12 months for signed-in users; a guest's text goes with their 24 h."""
    if owner.is_guest:
        return guest_lifetime()
    return timedelta(days=settings.NANOBANANAS["TEXT_RETENTION_DAYS"])


def retention_deadline(*, owner: Owner, created_at: datetime) -> datetime:
    """When an image (or any generation data) made by `owner` at `created_at` expires."""
    return created_at + image_retention(owner=owner)


def text_deadline(*, owner: Owner, created_at: datetime) -> datetime:
    """When a message written at `created_at` in `owner`'s conversation expires."""
    return created_at + text_retention(owner=owner)
