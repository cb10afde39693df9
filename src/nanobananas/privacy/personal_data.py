"""What the privacy app stores about a person, and the short safe list of third-party tables that name one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from nanobananas.accounts.identity import Owner
from nanobananas.privacy.models import DataExport, DeletionReceipt, LegalHold, PendingBlobDeletion
from nanobananas.privacy.selectors import SETTING_NAMES, commercial_image_ids, consent_events, privacy_settings_get
from nanobananas.privacy.services import privacy_settings_carry_over
from nanobananas.registry.personal_data import (
    AccountClosing,
    Blobs,
    CarryOver,
    Deletion,
    Exporter,
    ExportSection,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["exports_erase", "privacy_close", "privacy_export", "privacy_tombstone_purge", "privacy_transfer"]


def exports_erase(*, user_id: int, now: datetime) -> int:
    """Data export archives go at once: rows now, bytes through the pending-blob queue (next purge)."""
    exports = list(DataExport.objects.select_for_update().filter(user_id=user_id))
    stored = [e for e in exports if e.blob_name]
    PendingBlobDeletion.objects.bulk_create(
        [PendingBlobDeletion(blob_name=e.blob_name) for e in stored], ignore_conflicts=True
    )
    DeletionReceipt.objects.bulk_create(
        [
            DeletionReceipt(
                kind=DeletionReceipt.Kind.EXPORT, item_id=str(e.id), owner_key=f"u{user_id}",
                content_sha256=e.sha256, reason=DeletionReceipt.Reason.USER_REQUEST,
                created_at=e.ready_at, expires_at=e.expires_at, queued_at=now, purged_at=now,
            )
            for e in stored
        ]
    )  # fmt: skip
    DataExport.objects.filter(user_id=user_id).delete()
    return len(exports)


def privacy_close(closing: AccountClosing) -> dict[str, int]:
    return {"exports": exports_erase(user_id=closing.user_id, now=closing.now)}


def privacy_export(user_id: int) -> list[ExportSection]:
    """account.json: privacy_settings (with the images marked for commercial use) and the consent log."""
    owner = Owner(user_id=user_id)
    chosen = privacy_settings_get(owner)
    settings: dict[str, Any] = {
        **{name: getattr(chosen, name) for name in SETTING_NAMES},
        "changed_at": chosen.updated_at,
        "commercial_images": commercial_image_ids(owner=owner),
    }
    consents = [
        {
            "setting": e.setting,
            "subject": e.subject,
            "old": e.old_value,
            "new": e.new_value,
            "at": e.at,
            "policy_version": e.policy_version,
            "source": e.source,
        }
        for e in reversed(consent_events(owner=owner))
    ]
    return [ExportSection("account.json", {"privacy_settings": settings, "consents": consents})]


def privacy_transfer(guest_id: uuid.UUID, user_id: int) -> None:
    privacy_settings_carry_over(source=Owner(guest_id=guest_id), target=Owner(user_id=user_id))


def privacy_tombstone_purge(user_id: int) -> None:
    """Released holds would block the user row's deletion (PROTECT): they go with the tombstone."""
    LegalHold.objects.filter(owner_user_id=user_id, released_at__isnull=False).delete()


_GUEST_ROW = "goes with the guest row"
_CONSENTS = "account.json: consents (the whole ledger, oldest first)"
_LOGIN_LOG = "the sign-in lockout log: deleted after 30 days by the login log purge (accounts.login_logs_purge)"
_STAFF = "a staff-only record: staff accounts are not deleted from the Me page; goes with the user row"

register(
    PersonalData(
        app_label="privacy",
        close=privacy_close,
        transfer=privacy_transfer,
        tombstone_purge=privacy_tombstone_purge,
        export=Exporter(files=privacy_export),
        blobs=(Blobs(model="privacy.DataExport", name_field="blob_name", user_field="user"),),
        references=(
            reference("privacy.DataExport.user", Link.USER, Deletion.ERASED,
                      "rows at once, archive bytes through the pending-blob queue",
                      left_out="the archive itself", sealed=True),
            reference("privacy.DeletionReceipt.owner_key", Link.OWNER_KEY, Deletion.LEGAL,
                      "proof that an item was deleted: ids, times and a hash, never content"),
            reference("privacy.LegalHold.owner_user", Link.USER, Deletion.HELD,
                      "released holds on the owner are deleted with the tombstone",
                      left_out="evidence holds: restricted access by the policy, and placed by staff"),
            reference("privacy.LegalHold.owner_guest", Link.GUEST, Deletion.HELD, "a held guest is never purged",
                      carry_over=CarryOver.STAYS),
            reference("privacy.LegalHold.placed_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who placed a hold",
                      left_out="evidence holds: restricted access by the policy, and placed by staff"),
            reference("privacy.LegalHold.released_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who released a hold",
                      left_out="evidence holds: restricted access by the policy, and placed by staff"),
            reference("privacy.PrivacySettings.owner_user", Link.USER, Deletion.KEPT,
                      "the settings the consent log leads to", exported="account.json: privacy_settings"),
            reference("privacy.PrivacySettings.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.COPIED),
            reference("privacy.ConsentEvent.owner_user", Link.USER, Deletion.KEPT, "the consent log",
                      exported=_CONSENTS),
            reference("privacy.ConsentEvent.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.COPIED),
        ),
    )
)  # fmt: skip

# Third-party tables that name a person, declared once here with the reason each is safe.
register(
    PersonalData(
        app_label="third_party",
        references=(
            reference("admin.LogEntry.user", Link.USER, Deletion.STAFF, "what a staff member did in the admin",
                      left_out="what a staff member did in the admin: the operator's own records"),
            reference("otp_totp.TOTPDevice.user", Link.USER, Deletion.STAFF, "a staff member's authenticator",
                      left_out="a staff member's admin authenticator: a credential (its secret), never exported"),
            *(
                reference(f"axes.{model}.{column}", link, Deletion.EXPIRES, _LOGIN_LOG)
                for model in ("AccessAttempt", "AccessLog", "AccessFailureLog")
                for column, link in (("username", Link.NAME), ("ip_address", Link.ADDRESS))
            ),
        ),
    )
)  # fmt: skip
