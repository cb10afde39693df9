"""Sign-in locks on top of django-axes: per account and address, per address alone, and the page saying until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.attempts import get_cool_off_threshold  # type: ignore[import-untyped]  # django-axes ships no types
from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from django.apps import apps
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from nanobananas.accounts.backends import lockout_username
from nanobananas.accounts.forms import LoginForm

__all__ = ["AddressLockoutHandler", "lockout_response", "unlock_time"]


def _attempts() -> Any:
    return apps.get_model("axes", "AccessAttempt")._default_manager


class AddressLockoutHandler(AxesDatabaseHandler):
    """django-axes locks the pair (account, address) after AXES_FAILURE_LIMIT failures, so a stranger
    cannot lock the owner out from elsewhere; this adds the wider per-address lock after
    SIGN_IN_ADDRESS_FAILURE_LIMIT failures on any accounts, against guessing across many of them."""

    def _address_locked(self, request: Any) -> bool:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return False
        recent = _attempts().filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
        failures = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return bool(failures >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT)

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or self._address_locked(request)

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address limit already answers with the lockout, as axes does for its own.
        if request is not None and not request.axes_locked_out and self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def _lifts_at(rows: list[tuple[datetime, int]], *, limit: int) -> datetime | None:
    """Failures expire row by row; the lock lifts when the newest rows alone no longer reach the limit."""
    counted = 0
    for attempt_time, failures in sorted(rows, reverse=True):
        counted += failures
        if counted >= limit:
            return attempt_time + settings.AXES_COOLOFF_TIME
    return None


def unlock_time(*, username: str, ip_address: str | None) -> datetime | None:
    """When sign-in opens again for this account from this address (the later of the pair's and the address's lock)."""
    if not ip_address:
        return None
    columns = ("attempt_time", "failures_since_start")
    locks = [
        (_attempts().filter(username=username, ip_address=ip_address), settings.AXES_FAILURE_LIMIT),
        (_attempts().filter(ip_address=ip_address), settings.SIGN_IN_ADDRESS_FAILURE_LIMIT),
    ]
    times = [_lifts_at(list(rows.values_list(*columns)), limit=limit) for rows, limit in locks]
    locked = [t for t in times if t is not None]
    return max(locked) if locked else None


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """429 with the sign-in page and a plain message. Credentials are read from the request because axes
    passes them in a different position on its async path."""
    credentials = getattr(request, "axes_credentials", None) or {}
    username = lockout_username(request, credentials)
    until = unlock_time(username=username, ip_address=getattr(request, "axes_ip_address", None))
    if request.path.startswith("/api/"):
        message = "Sign-in from this network is paused after too many failed attempts."
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
