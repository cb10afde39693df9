"""Authentication: sign in with the email address or the username, and the name django-axes counts by."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest

from nanobananas.accounts.selectors import user_find_for_login

__all__ = ["EmailOrUsernameBackend", "lockout_username"]


class EmailOrUsernameBackend(ModelBackend):
    """Django's model backend, looking the account up by email or username (case-insensitive)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        user = user_find_for_login(identifier=username)
        if user is None:
            # Hash anyway so that a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """One lockout counter per account however it is named: an email is mapped to its account's username."""
    submitted = str((credentials or {}).get("username") or "").strip()
    user = user_find_for_login(identifier=submitted)
    return user.get_username().lower() if user is not None else submitted.lower()
