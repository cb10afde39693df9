"""Privacy tables: deletion receipts, blobs waiting to be deleted, legal holds, cleanup runs, data exports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class DeletionReceipt(models.Model):
    """Proof that an item was physically deleted: ids, kind, a hash of the content and times. No content."""

    class Kind(models.TextChoices):
        ASSET = "asset"
        MESSAGE = "message"
        CONVERSATION = "conversation"
        GUEST = "guest"
        EXPORT = "export"

    class Reason(models.TextChoices):
        RETENTION = "retention"
        USER_REQUEST = "user_request"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    item_id = models.CharField(max_length=64, db_index=True)
    owner_key = models.CharField(max_length=64, db_index=True)
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    message_id = models.UUIDField(null=True, blank=True, db_index=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} purged {self.purged_at:%Y-%m-%d %H:%M}"


class PendingBlobDeletion(models.Model):
    """A blob whose row is gone; deleting its bytes is retried until storage confirms."""

    blob_name = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.blob_name


class LegalHold(models.Model):
    """Keeps an image, a conversation or everything of an owner out of every deletion while active."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset_id = models.UUIDField(null=True, blank=True, db_index=True)
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        asset_id__isnull=False,
                        conversation_id__isnull=True,
                        owner_user__isnull=True,
                        owner_guest__isnull=True,
                    )
                    | Q(
                        asset_id__isnull=True,
                        conversation_id__isnull=False,
                        owner_user__isnull=True,
                        owner_guest__isnull=True,
                    )
                    | Q(
                        asset_id__isnull=True,
                        conversation_id__isnull=True,
                        owner_user__isnull=False,
                        owner_guest__isnull=True,
                    )
                    | Q(
                        asset_id__isnull=True,
                        conversation_id__isnull=True,
                        owner_user__isnull=True,
                        owner_guest__isnull=False,
                    )
                ),
                name="legal_hold_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        target = self.asset_id or self.conversation_id or self.owner_user_id or self.owner_guest_id
        return f"hold on {target}"


class CleanupRun(models.Model):
    """One run of a lifecycle job, with what it did; the retention report reads the latest of each."""

    class Kind(models.TextChoices):
        SWEEP = "sweep"
        PURGE = "purge"
        INTEGRITY = "integrity"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["kind", "-finished_at"], name="cleanup_run_latest")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.finished_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """One "Export my data" archive: built by a job, stored encrypted, deleted 7 days after it is ready."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        FAILED = "failed"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    # Where the "ready" email's link points: the site address the request came from.
    link_base = models.CharField(max_length=300, blank=True)
    blob_name = models.CharField(max_length=300, blank=True)
    byte_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-requested_at"], name="export_user_recent"),
            models.Index(fields=["status", "expires_at"], name="export_lifecycle"),
        ]

    def __str__(self) -> str:
        return f"export {self.id} ({self.status})"
