"""The page django-axes shows when sign-in is locked: who is locked out, and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nanobananas.accounts.backends import lockout_username
from nanobananas.accounts.forms import LoginForm

__all__ = ["lockout_response", "unlock_time"]


def unlock_time(*, username: str, ip_address: str | None) -> datetime | None:
    """When the latest failure that counts against this account or this address stops counting."""
    attempts = apps.get_model("axes", "AccessAttempt")._default_manager.filter(
        Q(username=username) | Q(ip_address=ip_address), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    latest = attempts.aggregate(latest=Max("attempt_time"))["latest"]
    return None if latest is None else latest + settings.AXES_COOLOFF_TIME


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """429 with the sign-in page and a plain message. Credentials are read from the request because axes
    passes them in a different position on its async path."""
    credentials = getattr(request, "axes_credentials", None) or {}
    username = lockout_username(request, credentials)
    until = unlock_time(username=username, ip_address=getattr(request, "axes_ip_address", None))
    form = LoginForm(request, initial={"username": credentials.get("username", "")})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_until": until, "section": "me"},
        status=429,
    )
