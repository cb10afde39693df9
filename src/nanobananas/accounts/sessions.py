"""The session engine: Django's database sessions, with each row tagged by its user and device."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

__all__ = ["DEVICE_KEY", "SIGNED_IN_KEY", "SessionStore", "device_label", "session_mark_signed_in"]

DEVICE_KEY = "nanobananas_device"
SIGNED_IN_KEY = "nanobananas_signed_in_at"

BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"), ("Mac OS X", "macOS")]
SYSTEMS += [("CrOS", "ChromeOS"), ("Linux", "Linux")]


def device_label(user_agent: str) -> str:
    """A coarse label such as "Chrome on Linux": enough to recognise a session, too little to fingerprint."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "A browser")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    return f"{browser} on {system}" if system else browser


def session_mark_signed_in(request: HttpRequest) -> None:
    """After `login()`: label the session for the sessions list; a guest identity has no place in it any more."""
    from nanobananas.accounts.identity import GUEST_SESSION_KEY

    request.session[DEVICE_KEY] = device_label(request.headers.get("User-Agent", ""))
    request.session[SIGNED_IN_KEY] = timezone.now().isoformat()
    request.session.pop(GUEST_SESSION_KEY, None)


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from nanobananas.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = super().create_model_instance(data)
        raw_user = data.get("_auth_user_id")
        instance.user_id = int(raw_user) if raw_user is not None else None
        instance.device = str(data.get(DEVICE_KEY, ""))[:120]
        signed_in = data.get(SIGNED_IN_KEY)
        instance.signed_in_at = parse_datetime(signed_in) if isinstance(signed_in, str) else None
        return instance
