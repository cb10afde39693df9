"""The page django-axes shows when sign-in is locked: who is locked out, and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from nanobananas.accounts.backends import lockout_username
from nanobananas.accounts.forms import LoginForm

__all__ = ["lockout_response", "unlock_time"]


def _lifts_at(rows: list[tuple[datetime, int]]) -> datetime | None:
    """Failures expire row by row; the lock lifts when the newest rows alone no longer reach the limit."""
    counted = 0
    for attempt_time, failures in sorted(rows, reverse=True):
        counted += failures
        if counted >= settings.AXES_FAILURE_LIMIT:
            return attempt_time + settings.AXES_COOLOFF_TIME
    return None


def unlock_time(*, username: str, ip_address: str | None) -> datetime | None:
    """When sign-in opens again for this account and this address (the later of the two locks)."""
    attempts = apps.get_model("axes", "AccessAttempt")._default_manager
    times = [
        _lifts_at(list(attempts.filter(**{field: value}).values_list("attempt_time", "failures_since_start")))
        for field, value in (("username", username), ("ip_address", ip_address))
        if value
    ]
    locked = [t for t in times if t is not None]
    return max(locked) if locked else None


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """429 with the sign-in page and a plain message. Credentials are read from the request because axes
    passes them in a different position on its async path."""
    credentials = getattr(request, "axes_credentials", None) or {}
    username = lockout_username(request, credentials)
    until = unlock_time(username=username, ip_address=getattr(request, "axes_ip_address", None))
    if request.path.startswith("/api/"):
        message = "Sign-in is paused after too many failed attempts for this account or from this network."
        if until is not None:
            message += f" Try again at {until:%H:%M} UTC."
        error: dict[str, Any] = {"code": "login_locked", "message": message}
        if until is not None:
            error["resets_at"] = until.isoformat()
        response = JsonResponse({"error": error}, status=429)
        if until is not None:
            response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
        return response
    form = LoginForm(request, initial={"username": credentials.get("username", "")})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_until": until, "section": "me"},
        status=429,
    )
