"""Staff access: the admin site (optional TOTP) and audited, time-limited views of user content.

Staff see ids, owners, states and times of users' things; the content itself (prompt text,
titles, images) only after saying why, which writes a `staff.content_view` audit event and opens
that one object for `CONTENT_GRANT_MINUTES` in the staff member's session.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.utils import quote, unquote
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite  # type: ignore[import-untyped]  # no stubs

from nanobananas.audit.models import AuditEvent
from nanobananas.audit.services import audit_record

__all__ = [
    "CONTENT_GRANT_MINUTES",
    "ContentViewReasonForm",
    "StaffAdminSite",
    "UserContentAdmin",
    "admin_otp_required",
    "staff_content_view_grant",
    "staff_content_view_granted",
    "staff_totp_enrol",
]

CONTENT_GRANT_MINUTES = 15
WHY_MIN_CHARS = 10
WHY_MAX_CHARS = 500
_SESSION_KEY = "nanobananas_staff_content_grants"
_admin_request: ContextVar[HttpRequest | None] = ContextVar("staff_admin_request", default=None)


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
    @property
    def login_form(self) -> type[forms.Form] | None:
        return OTPAdminAuthenticationForm if admin_otp_required() else None

    @property
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff may look at but never add, change or delete here: they are written and removed only by
    the product's audited services (deletion, retention, the audit chain)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserContentAdmin(ReadOnlyAdmin):
    """Read-only admin for rows that hold users' content.

    Lists and pages show ids, owners, states and times. The content (`content_fields`, read through
    `content_html`) appears only after the staff member says why on an intermediate page; that is
    audited and opens this one object for `CONTENT_GRANT_MINUTES`.
    """

    #: Fields shown on the page only while a grant is open (never in the list).
    content_fields: tuple[str, ...] = ()
    reason_template = "admin/staff_content_reason.html"

    def owner_key_of(self, obj: Any) -> str:
        raise NotImplementedError

    def content_html(self, request: HttpRequest, obj: Any) -> str:
        """The content, as safe HTML, for a granted object."""
        raise NotImplementedError

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = [name for name in super().get_fields(request, obj) if name not in self.content_fields]
        return [*fields, "user_content"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "user_content"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or ()), *self.content_fields]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # `user_content` is called with the object only; it finds whose session asks here. The page is
        # rendered before the request is forgotten (a TemplateResponse would render later).
        token = _admin_request.set(request)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()
            return response
        finally:
            _admin_request.reset(token)

    @admin.display(description="content")
    def user_content(self, obj: Any) -> str:
        request = _admin_request.get()
        if request is not None and staff_content_view_granted(request, obj):
            return self.content_html(request, obj)
        url = reverse(f"{self.admin_site.name}:{self._url_name('content')}", args=[quote(obj.pk)])
        return format_html(
            'Hidden. <a href="{}">Show the content</a> (you will be asked why; the view is audited).', url
        )

    def _url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<path:object_id>/content/",
                self.admin_site.admin_view(self.content_reason_view),
                name=self._url_name("content"),
            ),
        ]
        return [*extra, *super().get_urls()]

    def content_reason_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The "Why do you need to view this?" page: a valid answer is audited and opens the object."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("No such object.")
        form = ContentViewReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            staff_content_view_grant(
                request=request, obj=obj, owner_key=self.owner_key_of(obj), why=form.cleaned_data["why"]
            )
            change_url = reverse(f"{self.admin_site.name}:{self._url_name('change')}", args=[quote(obj.pk)])
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "form": form,
            "title": "Why do you need to view this?",
            "minutes": CONTENT_GRANT_MINUTES,
        }
        return TemplateResponse(request, self.reason_template, context)


def staff_totp_enrol(*, email: str) -> Any:
    """Give the staff account with this email a new TOTP device, replacing any earlier one (a lost
    phone is handled by enrolling again). Returns the confirmed device."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]  # no stubs

    from nanobananas.core.exceptions import Conflict, NotFound

    accounts = list(get_user_model().objects.filter(email__iexact=email.strip()))
    if len(accounts) != 1:
        raise NotFound(f"No single account has the email {email!r}.")
    user = accounts[0]
    if not user.is_staff:
        raise Conflict("Only staff accounts use the admin; this account is not staff.", code="not_staff")
    with transaction.atomic():
        replaced, _ = TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="nanobananas admin", confirmed=True)
        audit_record(
            kind="staff.totp_enrolled",
            actor="operator",
            owner_key=f"u{user.pk}",
            target_type="otp_totp.totpdevice",
            target_id=str(device.pk),
            details={"replaced": replaced},
        )
    return device
