"""Reads for privacy: what was deleted (for placeholders), the state of the lifecycle (for operators), and
each owner's privacy settings, consent ledger and commercial images."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.privacy.models import (
    CleanupRun,
    CommercialImage,
    ConsentEvent,
    DeletionReceipt,
    PendingBlobDeletion,
    PrivacySettings,
)

__all__ = [
    "SETTING_NAMES",
    "OwnerRetention",
    "RetentionReport",
    "analytics_allowed",
    "commercial_image_ids",
    "consent_events",
    "deleted_images_by_message",
    "email_preference_get",
    "owner_retention",
    "personalization_allowed",
    "privacy_settings_get",
    "retention_report",
    "third_party_ai_allowed",
]

# The settings a person can change, in the order Me -> Privacy shows them.
SETTING_NAMES = (
    "improve_ai",
    "commercial_use",
    "commercial_training",
    "analytics",
    "third_party_ai",
    "personalization",
    "email_product_news",
    "email_tips",
)


def deleted_images_by_message(*, conversation_id: uuid.UUID) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The images deleted from a conversation, grouped by the message that showed them: those already
    purged (their receipts) and those waiting in the cleanup queue (hidden since they were queued)."""
    from nanobananas.studio.models import Asset, Lifecycle

    grouped: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    waiting = (
        Asset.objects.filter(conversation_id=conversation_id, state=Lifecycle.QUEUED)
        .order_by("number")
        .values_list("message_id", "number", "deletion_reason", "queued_at")
    )
    for message_id, number, reason, queued_at in waiting:
        grouped[message_id].append(
            {
                "kind": "image",
                "number": number,
                "reason": reason or DeletionReceipt.Reason.RETENTION,
                "deleted_at": queued_at,
            }
        )
    receipts = DeletionReceipt.objects.filter(
        conversation_id=conversation_id, kind=DeletionReceipt.Kind.ASSET, message_id__isnull=False
    ).order_by("number")
    for receipt in receipts:
        assert receipt.message_id is not None
        grouped[receipt.message_id].append(
            {"kind": "image", "number": receipt.number, "reason": receipt.reason, "deleted_at": receipt.purged_at}
        )
    return dict(grouped)


@dataclass(frozen=True)
class OwnerRetention:
    """What one person has stored and when the next of it is deleted."""

    images: int
    next_deletion: datetime | None


def owner_retention(*, owner: Owner | None) -> OwnerRetention:
    from nanobananas.studio.models import Asset, Lifecycle

    if owner is None:
        return OwnerRetention(images=0, next_deletion=None)
    live = Asset.objects.filter(owner_filter(owner), state=Lifecycle.ACTIVE)
    summary = live.aggregate(images=Count("id"), next_deletion=Min("expires_at"))
    return OwnerRetention(images=summary["images"], next_deletion=summary["next_deletion"])


@dataclass
class RetentionReport:
    """What an operator needs to see that the policy is being kept."""

    now: datetime
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    oldest_overdue: dict[str, datetime | None] = field(default_factory=dict)
    oldest_queued: dict[str, datetime | None] = field(default_factory=dict)
    pending_blob_deletions: int = 0
    last_runs: dict[str, datetime | None] = field(default_factory=dict)
    receipts: int = 0

    @property
    def overdue_limit(self) -> timedelta:
        return timedelta(minutes=2 * settings.NANOBANANAS["SWEEP_MINUTES"])

    @property
    def late(self) -> list[str]:
        """Tables holding an item past its deadline by more than two sweep intervals, or stuck in the queue."""
        limit = self.now - self.overdue_limit
        late = [name for name, when in self.oldest_overdue.items() if when is not None and when < limit]
        late += [f"{name} (queued)" for name, when in self.oldest_queued.items() if when is not None and when < limit]
        return late

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "states": self.states,
            "oldest_overdue": {k: v.isoformat() if v else None for k, v in self.oldest_overdue.items()},
            "oldest_queued": {k: v.isoformat() if v else None for k, v in self.oldest_queued.items()},
            "pending_blob_deletions": self.pending_blob_deletions,
            "last_runs": {k: v.isoformat() if v else None for k, v in self.last_runs.items()},
            "receipts": self.receipts,
            "late": self.late,
        }


def retention_report() -> RetentionReport:
    from nanobananas.privacy.holds import unheld
    from nanobananas.studio.models import Asset, Conversation, Lifecycle, Message

    now = timezone.now()
    report = RetentionReport(now=now)
    tables: list[tuple[str, str, Any]] = [
        ("images", "asset", Asset),
        ("messages", "message", Message),
        ("conversations", "conversation", Conversation),
    ]
    for name, kind, model in tables:
        counts = model.objects.values("state").annotate(n=Count("pk"))
        report.states[name] = {row["state"]: row["n"] for row in counts}
        active = unheld(model.objects.filter(state=Lifecycle.ACTIVE, expires_at__lte=now), kind=kind)
        report.oldest_overdue[name] = active.aggregate(oldest=Min("expires_at"))["oldest"]
        queued = model.objects.filter(state=Lifecycle.QUEUED)
        report.oldest_queued[name] = queued.aggregate(oldest=Min("queued_at"))["oldest"]
    report.pending_blob_deletions = PendingBlobDeletion.objects.count()
    for kind in CleanupRun.Kind:
        latest = CleanupRun.objects.filter(kind=kind).order_by("-finished_at").first()
        report.last_runs[str(kind)] = latest.finished_at if latest else None
    report.receipts = DeletionReceipt.objects.count()
    return report


def _owner_fields(owner: Owner) -> dict[str, Any]:
    return {"owner_user_id": owner.user_id} if owner.user_id is not None else {"owner_guest_id": owner.guest_id}


def privacy_settings_get(owner: Owner | None) -> PrivacySettings:
    """The owner's privacy settings; an unsaved row holding the defaults when they never changed one."""
    if owner is None:
        return PrivacySettings()
    row = PrivacySettings.objects.filter(owner_filter(owner)).first()
    return row if row is not None else PrivacySettings(**_owner_fields(owner))


def email_preference_get(user_id: int, name: str) -> bool:
    """One email preference of an account ("email_product_news", "email_tips"); read by `accounts.mail`."""
    return bool(getattr(privacy_settings_get(Owner(user_id=user_id)), name))


def third_party_ai_allowed(owner: Owner | None) -> bool:
    """False when the owner chose "Never send my content to third-party AI services"; True by default."""
    if owner is None:
        return True
    chosen = PrivacySettings.objects.filter(owner_filter(owner)).values_list("third_party_ai", flat=True).first()
    return True if chosen is None else bool(chosen)


def analytics_allowed(owner: Owner | None) -> bool:
    """Whether usage events may be recorded for this owner (off unless switched on)."""
    if owner is None:
        return False
    chosen = PrivacySettings.objects.filter(owner_filter(owner)).values_list("analytics", flat=True).first()
    return bool(chosen)


def personalization_allowed(owner: Owner | None) -> bool:
    """Whether the studio may learn and use this owner's design habits (on unless switched off)."""
    if owner is None:
        return False
    chosen = PrivacySettings.objects.filter(owner_filter(owner)).values_list("personalization", flat=True).first()
    return True if chosen is None else bool(chosen)


def consent_events(*, owner: Owner) -> list[ConsentEvent]:
    """The owner's consent ledger, newest first."""
    return list(ConsentEvent.objects.filter(owner_filter(owner)).order_by("-at", "-id"))


def commercial_image_ids(*, owner: Owner) -> list[uuid.UUID]:
    """The owner's live images marked for commercial use, oldest mark first."""
    from nanobananas.studio.models import Lifecycle

    rows = CommercialImage.objects.filter(owner_filter(owner, prefix="asset__"), asset__state=Lifecycle.ACTIVE)
    rows = rows.order_by("marked_at", "asset_id")
    return list(rows.values_list("asset_id", flat=True))
