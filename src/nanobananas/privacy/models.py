"""Privacy tables: deletion receipts, blobs waiting to be deleted, legal holds, cleanup runs, data exports,
privacy settings with their consent ledger and commercial-use images."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from nanobananas.core.exceptions import Conflict


class DeletionReceipt(models.Model):
    """Proof that an item was physically deleted: ids, kind, a hash of the content and times. No content."""

    class Kind(models.TextChoices):
        ASSET = "asset"
        MESSAGE = "message"
        CONVERSATION = "conversation"
        GUEST = "guest"
        EXPORT = "export"
        ACCOUNT = "account"

    class Reason(models.TextChoices):
        RETENTION = "retention"
        USER_REQUEST = "user_request"
        MODERATION = "moderation"

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
    # Builds started so far; after EXPORT_MAX_ATTEMPTS the export fails and the operator is alerted.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-requested_at"], name="export_user_recent"),
            models.Index(fields=["status", "expires_at"], name="export_lifecycle"),
        ]

    def __str__(self) -> str:
        return f"export {self.id} ({self.status})"


def _one_owner(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(owner_user__isnull=False, owner_guest__isnull=True)
            | Q(owner_user__isnull=True, owner_guest__isnull=False)
        ),
        name=name,
    )


class PrivacySettings(models.Model):
    """One owner's choices on Me -> Privacy. No row means every default below; written only through
    `privacy_settings_update`, which appends each change to the consent ledger."""

    owner_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.OneToOneField(
        "accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # "Use my images to improve AI": opt-in.
    improve_ai = models.BooleanField(default=False)
    # The whole account's images are for commercial use: kept out of training without commercial_training.
    commercial_use = models.BooleanField(default=False)
    # The separate, explicit consent to use commercial images for training.
    commercial_training = models.BooleanField(default=False)
    # First-party usage analytics: off unless the person switches them on.
    analytics = models.BooleanField(default=False)
    # False = "Never send my content to third-party AI services".
    third_party_ai = models.BooleanField(default=True)
    # Learned design defaults from the person's own kept results (analytics.LearnedPreferences): on unless
    # switched off; off means nothing is learned, used or kept.
    personalization = models.BooleanField(default=True)
    email_product_news = models.BooleanField(default=False)
    email_tips = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "privacy settings"
        constraints = [_one_owner("privacy_settings_exactly_one_owner")]

    def __str__(self) -> str:
        return f"privacy settings of {self.owner_user_id or self.owner_guest_id}"


class AppendOnlyQuerySet(models.QuerySet["ConsentEvent"]):
    """The ledger is never edited or deleted row by row; rows go only with their owner (cascade)."""

    def update(self, **kwargs: object) -> int:
        raise Conflict("The consent ledger is append-only.", code="ledger_append_only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise Conflict("The consent ledger is append-only.", code="ledger_append_only")


class ConsentEvent(models.Model):
    """One change of a privacy setting: who, what, old -> new, when, under which privacy policy version."""

    class Source(models.TextChoices):
        SETTINGS = "settings"  # the person changed it (Me -> Privacy or the API)
        CARRIED_OVER = "carried_over"  # copied from the guest session whose work moved into the account

    id = models.BigAutoField(primary_key=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    setting = models.CharField(max_length=32)
    # For per-image choices (setting "commercial_image"): the image's id; blank for account-wide settings.
    subject = models.CharField(max_length=64, blank=True)
    old_value = models.BooleanField()
    new_value = models.BooleanField()
    at = models.DateTimeField(db_index=True)
    policy_version = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SETTINGS)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [_one_owner("consent_event_exactly_one_owner")]
        indexes = [
            models.Index(fields=["owner_user", "-at"], name="consent_user_recent"),
            models.Index(fields=["owner_guest", "-at"], name="consent_guest_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.setting}: {self.old_value} -> {self.new_value} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise Conflict("The consent ledger is append-only.", code="ledger_append_only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise Conflict("The consent ledger is append-only.", code="ledger_append_only")


class CommercialImage(models.Model):
    """An image its owner marked for commercial use: never in a training set without commercial_training.
    Deleted with the image (the purge deletes the image's row, and this row with it)."""

    asset = models.OneToOneField("studio.Asset", primary_key=True, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"commercial image {self.asset_id}"
