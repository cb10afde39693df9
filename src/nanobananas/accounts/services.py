"""Writes for identities."""

from __future__ import annotations

from nanobananas.accounts.models import Guest

__all__ = ["guest_create"]


def guest_create() -> Guest:
    return Guest.objects.create()
