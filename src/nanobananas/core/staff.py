"""Staff access: the admin site (optional TOTP) and audited, time-limited views of user content.

Staff see ids, owners, states and times of users' things; the content itself (prompt text,
titles, images) only after saying why, which writes a `staff.content_view` audit event and opens
that one object for `CONTENT_GRANT_MINUTES` in the staff member's session.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.db import models
from django.http import HttpRequest
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from nanobananas.audit.models import AuditEvent
from nanobananas.audit.services import audit_record

__all__ = [
    "CONTENT_GRANT_MINUTES",
    "ContentViewReasonForm",
    "StaffAdminSite",
    "admin_otp_required",
    "staff_content_view_grant",
    "staff_content_view_granted",
]

CONTENT_GRANT_MINUTES = 15
WHY_MIN_CHARS = 10
WHY_MAX_CHARS = 500
_SESSION_KEY = "nanobananas_staff_content_grants"


def admin_otp_required() -> bool:
    """NANOBANANAS_ADMIN_OTP: the admin admits only staff verified by a one-time password."""
    return bool(settings.NANOBANANAS.get("ADMIN_OTP", False))


class StaffAdminSite(OTPAdminSite):
    """The admin at /admin/. With NANOBANANAS_ADMIN_OTP the sign-in asks for a TOTP code and every
    page requires a session verified by one; without it, it is Django's staff sign-in."""

    site_header = "Nanobananas staff"
    site_title = "Nanobananas staff"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    # Read on every request, so the flag is honoured without rebuilding the site.
    @property  # type: ignore[override]
    def login_form(self) -> type[forms.Form] | None:
        return OTPAdminAuthenticationForm if admin_otp_required() else None

    @property  # type: ignore[override]
    def login_template(self) -> str | None:
        return "otp/admin111/login.html" if admin_otp_required() else None

    def has_permission(self, request: HttpRequest) -> bool:
        if admin_otp_required():
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)


class ContentViewReasonForm(forms.Form):
    why = forms.CharField(
        label="Why do you need to view this?",
        min_length=WHY_MIN_CHARS,
        max_length=WHY_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the audit log with your name and the time, e.g. a support ticket or legal request.",
    )


def _grant_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _live_grants(request: HttpRequest) -> dict[str, float]:
    now = time.time()
    grants = request.session.get(_SESSION_KEY) or {}
    return {key: until for key, until in grants.items() if isinstance(until, int | float) and until > now}


def staff_content_view_grant(*, request: HttpRequest, obj: models.Model, owner_key: str, why: str) -> AuditEvent:
    """Record who views what and why, then open that object's content to this session for a while."""
    why = why.strip()
    if not (WHY_MIN_CHARS <= len(why) <= WHY_MAX_CHARS):
        raise ValueError(f"a reason of {WHY_MIN_CHARS} to {WHY_MAX_CHARS} characters is required")
    staff_id = request.user.pk
    event = audit_record(
        kind="staff.content_view",
        actor=f"staff:{staff_id}",
        owner_key=owner_key,
        target_type=obj._meta.label_lower,
        target_id=str(obj.pk),
        details={"why": why, "minutes": CONTENT_GRANT_MINUTES},
    )
    grants = _live_grants(request)
    grants[_grant_key(obj)] = time.time() + CONTENT_GRANT_MINUTES * 60
    request.session[_SESSION_KEY] = grants
    return event


def staff_content_view_granted(request: HttpRequest, obj: Any) -> bool:
    """True while this session holds an unexpired grant for exactly this object."""
    if obj is None or not getattr(request.user, "is_staff", False):
        return False
    return _grant_key(obj) in _live_grants(request)
