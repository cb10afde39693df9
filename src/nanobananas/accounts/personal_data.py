"""What accounts store about a person (the user row, profile, sessions, quotas, the tombstone), for the registry."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import ClosedAccount, Profile, QuotaUsage, UserSession
from nanobananas.accounts.selectors import plan_for, retention_hours_for
from nanobananas.registry.personal_data import (
    AccountClosing,
    CarryOver,
    Deletion,
    Exporter,
    ExportSection,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["account_close", "account_export"]


def account_close(closing: AccountClosing) -> dict[str, int]:
    """Last step of account deletion: sessions end, counters go, and the user row becomes a tombstone (no name,
    no email, no password, inactive, profile cleared) with a `ClosedAccount` row until `purge_after`."""
    user_id = closing.user_id
    sessions, _ = UserSession.objects.filter(user_id=user_id).delete()
    QuotaUsage.objects.filter(owner_user_id=user_id).delete()
    User.objects.filter(pk=user_id).update(
        username=f"deleted:{user_id}",  # a colon is never in a chosen username, so it cannot collide
        email="",
        first_name="",
        last_name="",
        password=make_password(None),
        is_active=False,
        is_staff=False,
        is_superuser=False,
    )
    user = User.objects.get(pk=user_id)
    user.groups.clear()
    user.user_permissions.clear()
    Profile.objects.filter(user_id=user_id).update(
        sealed_display_name="", email_key=None, email_verified_at=None, pending_email="", retention_hours=None
    )
    ClosedAccount.objects.create(user_id=user_id, closed_at=closing.now, purge_after=closing.purge_after)
    return {"sessions": sessions}


def account_export(user_id: int) -> list[ExportSection]:
    """account.json: the user, profile, plan, settings, what the account uses and its sessions; never the
    password hash or session keys."""
    user = User.objects.get(pk=user_id)
    owner = Owner(user_id=user_id)
    profile = Profile.objects.filter(user_id=user_id).first()
    plan = plan_for(owner=owner)
    account = {
        "user": {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "profile": (
            {
                "display_name": profile.display_name,
                "email_verified_at": profile.email_verified_at,
                "pending_email": profile.pending_email,
                "created_at": profile.created_at,
            }
            if profile is not None
            else None
        ),
        "plan": {
            "code": plan.code,
            "name": plan.name,
            "is_paid": plan.is_paid,
            "daily_images": plan.daily_images,
            "monthly_images": plan.monthly_images,
            "daily_videos": plan.daily_videos,
            "monthly_videos": plan.monthly_videos,
            "max_upload_bytes": plan.max_upload_bytes,
            "max_resolution": plan.max_resolution,
            "video_seconds": plan.video_seconds,
            "retention_hours_options": plan.retention_hours_options,
            "default_retention_hours": plan.default_retention_hours,
        },
        "settings": {
            "image_retention_hours": retention_hours_for(owner=owner),
            "image_retention_hours_chosen": profile.retention_hours if profile is not None else None,
        },
        "quota_usage": [
            {"kind": u.kind, "window": u.window, "period_start": u.period_start, "used": u.used}
            for u in QuotaUsage.objects.filter(owner_user_id=user_id).order_by("period_start", "kind", "window")
        ],
        "sessions": [
            {"device": s.device, "signed_in_at": s.signed_in_at, "expires_at": s.expire_date}
            for s in UserSession.objects.filter(user_id=user_id).order_by("signed_in_at")
        ],
    }
    return [ExportSection("account.json", account)]


_ACCOUNT = "account.json: profile, settings"
_STAFF = "staff permissions: how the service is run, not the person's data"

register(
    PersonalData(
        app_label="accounts",
        close=account_close,
        export=Exporter(files=account_export),
        references=(
            reference("accounts.Profile.user", Link.USER, Deletion.KEPT,
                      "fields cleared at deletion (name, email key, verification, choices)", exported=_ACCOUNT),
            reference("accounts.Profile.email_key", Link.ADDRESS, Deletion.REDACTED, "cleared at deletion"),
            reference("accounts.Profile.pending_email", Link.ADDRESS, Deletion.REDACTED, "cleared at deletion"),
            reference("accounts.Profile.sealed_display_name", Link.NAME, Deletion.REDACTED, "cleared at deletion"),
            reference("accounts.QuotaUsage.owner_user", Link.USER, Deletion.ERASED, "usage counters",
                      exported="account.json: quota_usage"),
            reference("accounts.QuotaUsage.owner_guest", Link.GUEST, Deletion.ERASED,
                      "go with the guest row when the purge removes the guest", carry_over=CarryOver.STAYS),
            reference("accounts.UserSession.user", Link.USER, Deletion.ERASED, "every session ends at once",
                      exported="account.json: sessions (device and times, never the key or the data)"),
            reference("accounts.ClosedAccount.user", Link.USER, Deletion.KEPT, "the tombstone itself",
                      left_out="the tombstone of a deleted account, which can no longer sign in to export"),
            reference("auth.User.username", Link.NAME, Deletion.REDACTED, "becomes deleted:<id>"),
            reference("auth.User.first_name", Link.NAME, Deletion.REDACTED, "cleared at deletion"),
            reference("auth.User.last_name", Link.NAME, Deletion.REDACTED, "cleared at deletion"),
            reference("auth.User.email", Link.ADDRESS, Deletion.REDACTED,
                      "cleared at deletion: the address can sign up again at once"),
            reference("auth.User_groups.user", Link.USER, Deletion.ERASED, "group memberships cleared",
                      left_out=_STAFF),
            reference("auth.User_user_permissions.user", Link.USER, Deletion.ERASED, "permissions cleared",
                      left_out=_STAFF),
        ),
    )
)  # fmt: skip
