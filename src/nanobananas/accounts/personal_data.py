"""What accounts store about a person (the user row, profile, sessions, quotas, the tombstone), for the registry."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from nanobananas.accounts.models import ClosedAccount, Profile, QuotaUsage, UserSession
from nanobananas.registry.personal_data import (
    AccountClosing,
    CarryOver,
    Deletion,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["account_close"]


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


_ACCOUNT = "account.json: profile, settings"
_STAFF = "staff permissions: how the service is run, not the person's data"

register(
    PersonalData(
        app_label="accounts",
        close=account_close,
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
