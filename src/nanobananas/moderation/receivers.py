"""Sign-in audit: Django's auth signals become audit events. Credentials are never stored; a failed
attempt's typed username is kept only as a keyed hash (HMAC with the secret key), so repeated tries at
one name can be correlated without revealing it."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from nanobananas.audit.services import audit_record

__all__ = ["connect", "username_hash"]

_UID = "nanobananas.moderation.receivers"


def username_hash(username: str) -> str:
    key = hashlib.sha256(f"sign-in-audit:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, username.strip().casefold().encode(), hashlib.sha256).hexdigest()


def _via(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else ("api" if path.startswith("/api/") else "web")


def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(
        kind="auth.signed_in", actor=f"user:{user.pk}", owner_key=f"u{user.pk}", target_type="user",
        target_id=str(user.pk), details={"via": _via(request)},
    )  # fmt: skip


def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return  # an anonymous visitor pressed "sign out": nothing happened
    audit_record(
        kind="auth.signed_out", actor=f"user:{user.pk}", owner_key=f"u{user.pk}", target_type="user",
        target_id=str(user.pk), details={"via": _via(request)},
    )  # fmt: skip


def sign_in_failed(sender: str, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    typed = str(credentials.get("username") or credentials.get("email") or "")
    audit_record(
        kind="auth.sign_in_failed", actor="anonymous", target_type="sign_in",
        details={"username_hmac": username_hash(typed) if typed else "", "via": _via(request)},
    )  # fmt: skip


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid=f"{_UID}.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid=f"{_UID}.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid=f"{_UID}.sign_in_failed")
