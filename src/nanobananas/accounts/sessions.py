"""The session engine: Django's database sessions, stored under a keyed hash of the key, each row tagged by its
user and device."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime

__all__ = [
    "DEVICE_KEY",
    "GUEST_SESSION_KEY",
    "SIGNED_IN_KEY",
    "SessionStore",
    "device_label",
    "session_key_digest",
    "session_mark_signed_in",
]

DEVICE_KEY = "nanobananas_device"
SIGNED_IN_KEY = "nanobananas_signed_in_at"
GUEST_SESSION_KEY = "nanobananas_guest_id"  # the guest a browser session belongs to (`identity.request_owner`)

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
    request.session[DEVICE_KEY] = device_label(request.headers.get("User-Agent", ""))
    request.session[SIGNED_IN_KEY] = timezone.now().isoformat()
    request.session.pop(GUEST_SESSION_KEY, None)


def session_key_digest(session_key: str) -> str:
    """What the sessions table stores for a session key: HMAC-SHA256 under the server's secret key, in hex.

    The key itself exists only in the browser's cookie, so someone who reads the database (or a backup of it)
    cannot present a stored value as a cookie and be signed in.
    """
    return salted_hmac("nanobananas.accounts.sessions", session_key, algorithm="sha256").hexdigest()


class SessionStore(DatabaseSessionStore):
    """Django's database store, looking rows up by `session_key_digest` of the cookie's key (sync and async)."""

    @classmethod
    def get_model_class(cls) -> Any:
        # Named, not imported: the model names this store (`UserSession.get_session_store_class`).
        return apps.get_model("accounts", "UserSession")

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        try:
            return self.model.objects.get(
                session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None
            return None

    async def _aget_session_from_db(self) -> Any:
        if self.session_key is None:
            return None
        try:
            return await self.model.objects.aget(
                session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return bool(self.model.objects.filter(session_key=session_key_digest(session_key)).exists())

    async def aexists(self, session_key: str) -> bool:
        return bool(await self.model.objects.filter(session_key=session_key_digest(session_key)).aexists())

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            self.model.objects.filter(session_key=session_key_digest(session_key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key is not None:
            await self.model.objects.filter(session_key=session_key_digest(session_key)).adelete()

    async def acreate_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = await super().acreate_model_instance(data)
        return self._tag(instance, data)

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = super().create_model_instance(data)
        return self._tag(instance, data)

    def _tag(self, instance: Any, data: dict[str, Any]) -> Any:
        """The row is stored under the key's digest, with its user, device and sign-in time as columns."""
        instance.session_key = session_key_digest(instance.session_key)
        raw_user = data.get("_auth_user_id")
        instance.user_id = int(raw_user) if raw_user is not None else None
        instance.device = str(data.get(DEVICE_KEY, ""))[:120]
        signed_in = data.get(SIGNED_IN_KEY)
        instance.signed_in_at = parse_datetime(signed_in) if isinstance(signed_in, str) else None
        return instance
