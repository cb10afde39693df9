"""Studio tables: a Conversation holds Messages; a Job turns a user Message into result Assets."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from nanobananas.vault.fields import SealedJSONField, SealedTextField


class Owned(models.Model):
    """Rows that belong to exactly one owner: a signed-in user or a guest."""

    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_user__isnull=False, owner_guest__isnull=True)
                    | Q(owner_user__isnull=True, owner_guest__isnull=False)
                ),
                name="%(app_label)s_%(class)s_exactly_one_owner",
            )
        ]

    @property
    def owner_key(self) -> str:
        """Whose data key seals this row's text: "u<id>" or "g<id>"."""
        return _owner_key(self)


class Lifecycle(models.TextChoices):
    """Where a row is in its life: shown, or queued for deletion (hidden from everyone at once)."""

    ACTIVE = "active"
    QUEUED = "queued"


class Expiring(models.Model):
    """Rows with a lifetime: the sweep queues them once `expires_at` passes, the purge deletes them."""

    state = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    expires_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    deletion_reason = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


def _owner_key(row: Owned) -> str:
    return f"u{row.owner_user_id}" if row.owner_user_id is not None else f"g{row.owner_guest_id}"


class Conversation(Owned, Expiring):
    """Its `expires_at` follows its text: the last message's time plus the owner's text retention.

    The title (often the first prompt) is stored sealed with the owner's data key; `title` reads and
    writes the plain text.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sealed_title = SealedTextField(plain="title", context="conversation")
    title: str
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta(Owned.Meta):
        indexes = [
            models.Index(fields=["owner_user", "-updated_at"], name="conv_user_recent"),
            models.Index(fields=["owner_guest", "-updated_at"], name="conv_guest_recent"),
            models.Index(fields=["state", "expires_at"], name="conv_lifecycle"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Message(Expiring):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    # Sealed with the conversation owner's data key; `text` reads and writes the plain text.
    sealed_text = SealedTextField(plain="text", context="message", blank=False)
    text: str
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="msg_conv_time"),
            models.Index(fields=["state", "expires_at"], name="msg_lifecycle"),
        ]

    def __str__(self) -> str:
        return f"{self.role} message {self.id}"

    @property
    def owner_key(self) -> str:
        return _owner_key(self.conversation)


class Job(models.Model):
    """One piece of queued work. Claimed atomically, so running it twice never makes two results."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        REFUSED = "refused"

    TERMINAL = (Status.DONE, Status.FAILED, Status.REFUSED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="jobs")
    # Jobs of one conversation run strictly in this order, so "now make it blue" sees the poster
    # that the previous message asked for.
    number = models.PositiveIntegerField()
    request = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="job")
    # The version the user pointed at when sending (API `base_version`); None means "the latest".
    base_version = models.PositiveIntegerField(null=True, blank=True)
    # Request details beyond the text, from the OpenAI-compatible API: {"size": [w, h], "mask": "<asset id>"}.
    options = models.JSONField(default=dict, blank=True)
    result = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="produced_by")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    # Failure messages can quote the request ("not a colour: ..."): sealed with the owner's data key.
    sealed_error_message = SealedTextField(plain="error_message", context="job.error")
    error_message: str
    attempts = models.PositiveIntegerField(default=0)
    provider = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]
        constraints = [models.UniqueConstraint(fields=["conversation", "number"], name="job_number_unique")]

    def __str__(self) -> str:
        return f"job {self.id} ({self.status})"

    @property
    def owner_key(self) -> str:
        return _owner_key(self.conversation)


class Asset(Owned, Expiring):
    """An image the studio stores: an upload, or a result (a *version*), or a video made from them or from
    words (kind `video`, numbered on its own: "video 1"). `expires_at` is set at creation.

    Versions form a tree: each result records the image it was made from (`parent`), every input it
    used, how it was made (`operation`, the plan and the op records) and by whom (provider, model).
    Undo and "go back to version 2" make a new version whose parent is the old one; nothing is
    overwritten.
    """

    class Kind(models.TextChoices):
        UPLOAD = "upload"
        RESULT = "result"
        VIDEO = "video"

    class Operation(models.TextChoices):
        UPLOAD = "upload"
        GENERATE = "generate"
        EDIT = "edit"
        REVERT = "revert"
        COMBINE = "combine"
        ANIMATE = "animate"
        # The area a person painted over a picture to say where to change it (kind upload: it is theirs and
        # lives as long as their uploads), shown as an outline on their message, never as a photo or in History.
        MASK = "mask"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="assets")
    # RESTRICT: text outlives images, and a message must never take an image's row (and so the record
    # of its blob) with it; the purge removes images first.
    message = models.ForeignKey(Message, on_delete=models.RESTRICT, related_name="assets")
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="asset")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Numbered per conversation and kind: "version 2", "the first picture" (upload 1).
    number = models.PositiveIntegerField()
    operation = models.CharField(max_length=16, choices=Operation.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    inputs = models.JSONField(default=list, blank=True)
    # The plan and the op records quote the request (a poster's title, the words of a text step): sealed.
    sealed_plan = SealedJSONField(plain="plan", context="asset.plan")
    plan: dict[str, Any] | None
    sealed_steps = SealedJSONField(plain="steps", context="asset.steps", empty=list)
    steps: list[dict[str, Any]]
    duration_ms = models.PositiveIntegerField(default=0)
    # A video's running time and frame rate (0 for pictures); `duration_ms` above is the time it took to make.
    length_ms = models.PositiveIntegerField(default=0)
    fps = models.PositiveSmallIntegerField(default=0)
    # An upload's file name as the person's device named it: sealed.
    sealed_original_name = SealedTextField(plain="original_name", context="asset.name")
    original_name: str
    blob_name = models.CharField(max_length=300, unique=True)
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    provider = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=100, blank=True)
    # What left this server to make it, when a third-party provider made it: the provider and model,
    # the ids of the input images and of the message whose text was the prompt, the prompt's SHA-256
    # and the number of earlier turns sent as context. Ids and hashes only: the text itself stays sealed.
    sent = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta(Owned.Meta):
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="asset_lifecycle")]
        constraints = [
            *Owned.Meta.constraints,
            models.UniqueConstraint(fields=["conversation", "kind", "number"], name="asset_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number} of {self.conversation_id}"
