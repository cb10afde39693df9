"""Writes for the studio: conversations, turns with uploads, and the lifecycle of generation jobs."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone
from PIL import Image, ImageOps

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.accounts.pixelbudget import pixel_budget_spend, request_pixels_check
from nanobananas.accounts.selectors import plan_for
from nanobananas.accounts.services import quota_consume, quota_release
from nanobananas.analytics.feedback import error_report_create
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.core.events import job_changed
from nanobananas.core.exceptions import Conflict, InvalidInput
from nanobananas.core.text import clean_text
from nanobananas.engine.errors import EngineError
from nanobananas.privacy.retention import retention_deadline, text_deadline
from nanobananas.providers.base import (
    ClarificationNeeded,
    GeneratedImage,
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
    Turn,
    turn_signatures,
)
from nanobananas.providers.routing import Providers, providers_for
from nanobananas.registry.jobs import job_enqueue_on_commit
from nanobananas.registry.personal_data import GUEST_BLOB_NAME
from nanobananas.registry.screening import content_screen
from nanobananas.studio.intent import ConversationState, ImageRef, Intent, resolve_intent
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.selectors import asset_get, conversation_get, job_get
from nanobananas.vault.fields import sealed_columns_for, sealed_token

__all__ = [
    "RESEAL_JOB",
    "RUN_JOB",
    "VIDEO_JOB",
    "IncomingFile",
    "asset_blobs_reseal",
    "asset_blobs_reseal_all",
    "asset_delete",
    "conversation_create",
    "conversation_delete",
    "conversations_transfer_owner",
    "job_progress",
    "job_retry",
    "job_run",
    "jobs_rescue_stale",
    "message_send",
]

logger = logging.getLogger(__name__)

TITLE_CHARS = 80
MAX_FILES_PER_MESSAGE = 10
UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)
INTERNAL_ERROR_MESSAGE = "Something went wrong while making the image. Please try again."
# The job (studio/tasks.py) that moves a carried-over guest's bytes under the account's key, by this name.
RESEAL_JOB = "studio.reseal_carried_over_blobs"
# The jobs that run an image job (studio/tasks.py) and a video job (studio/video_tasks.py, its own queue).
RUN_JOB = "studio.run_job"
VIDEO_JOB = "studio.render_video_job"


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file as the view received it: the name the browser gave and the bytes."""

    name: str
    data: bytes


@dataclass
class _Prepared:
    preview: Image.Image  # a small upright copy for content review, never the full decode
    data: bytes
    content_type: str
    extension: str
    original_name: str
    width: int
    height: int


@dataclass
class _OutcomeFile:
    """A further picture one job made besides its main one (an AI tool's outputs: an ID photo's print sheet,
    one picture per social format). Stored as a version of its own, linked to the reply message."""

    image: Image.Image
    steps: list[dict[str, Any]] = field(default_factory=list)
    # Already-encoded bytes when the encoding is the result (a compressor's JPEG at its target size).
    data: bytes | None = None
    content_type: str = "image/png"


@dataclass
class _Outcome:
    """What a job produced: a reply, and usually one new version (an AI tool may make several)."""

    reply: str
    image: Image.Image | None = None
    operation: str = ""
    parent_id: uuid.UUID | None = None
    inputs: list[uuid.UUID] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    provider: str = ""
    model: str = ""
    sent: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    content_type: str = "image/png"
    more: list[_OutcomeFile] = field(default_factory=list)


def _actor(owner: Owner) -> str:
    return f"user:{owner.user_id}" if owner.user_id is not None else f"guest:{owner.guest_id}"


def _owner_fields(owner: Owner) -> dict[str, object]:
    return {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}


def _owner_of(conversation: Conversation) -> Owner:
    if conversation.owner_user_id is not None:
        return Owner(user_id=conversation.owner_user_id)
    return Owner(guest_id=conversation.owner_guest_id)


def _enqueue_on_commit(job_id: uuid.UUID) -> None:
    # Videos go to their own queue (studio/video_tasks.py): a render never holds up an image edit.
    video = Job.objects.filter(id=job_id, options__has_key="video").exists()
    # robust: with the queue unreachable (Redis restarting) the job is still accepted and stored, and the
    # workers' rescue check queues it once it has waited NANOBANANAS_WORKER_STALE_SECONDS; the error is logged.
    job_enqueue_on_commit(VIDEO_JOB if video else RUN_JOB, str(job_id), robust=True)


def _delete_blobs_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not delete blob %s", name)

    transaction.on_commit(delete)


def _write_blob(name: str, data: bytes) -> str:
    """Write bytes under exactly `name`, replacing what a crashed earlier attempt may have left."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def _message_create(conversation: Conversation, role: str, text: str, *, expires_at: datetime) -> Message:
    message = Message(conversation=conversation, role=role, expires_at=expires_at)
    message.text = text  # sealed with the conversation owner's key
    message.save(force_insert=True)
    return message


def conversation_create(*, owner: Owner, title: str = "") -> Conversation:
    title = clean_text(title)
    if len(title) > 200:
        raise InvalidInput("A title can be at most 200 characters.", code="title_too_long")
    conversation = Conversation(
        expires_at=text_deadline(owner=owner, created_at=timezone.now()), **_owner_fields(owner)
    )
    conversation.title = title  # sealed for the owner
    conversation.save(force_insert=True)
    return conversation


def _queue(queryset: Any, *, reason: str) -> int:
    return int(
        queryset.filter(state=Lifecycle.ACTIVE).update(
            state=Lifecycle.QUEUED, queued_at=timezone.now(), deletion_reason=reason
        )
    )


def conversation_delete(*, owner: Owner, conversation_id: uuid.UUID) -> None:
    """Queue a conversation with all its text and images for deletion: hidden at once, purged next."""
    with transaction.atomic():
        conversation = conversation_get(owner=owner, conversation_id=conversation_id)
        audit_record(
            kind="deletion.requested", actor=_actor(owner), owner_key=owner.key,
            target_type="conversation", target_id=str(conversation.id),
        )  # fmt: skip
        _queue(Asset.objects.filter(conversation=conversation), reason="user_request")
        _queue(Message.objects.filter(conversation=conversation), reason="user_request")
        _queue(Conversation.objects.filter(id=conversation.id), reason="user_request")


def conversations_transfer_owner(*, source: Owner, target: Owner) -> int:
    """Give everything `source` made to `target` (a guest signing up): rows change owner, text is sealed
    again under the new owner's key and expiry follows the new owner's tier, all in the caller's
    transaction and without touching storage, so a sign-up that fails moves nothing and writes nothing.
    The bytes follow after commit (`RESEAL_JOB`, `asset_blobs_reseal`): until then each image still names
    its blob under the guest's key, which the guest purge keeps while any row names it. Returns how many
    conversations moved."""
    if source == target:
        return 0
    with transaction.atomic():
        conversation_ids = list(
            Conversation.objects.select_for_update().filter(owner_filter(source)).values_list("id", flat=True)
        )
        count = len(conversation_ids)
        for asset in Asset.objects.select_for_update().filter(owner_filter(source)).iterator():
            Asset.objects.filter(id=asset.id).update(
                expires_at=retention_deadline(owner=target, created_at=asset.created_at),
                **sealed_columns_for(asset, owner_key=target.key),
                **_owner_fields(target),
            )
        # Text is sealed for its owner: open it with the guest's key, seal it again with the account's.
        for message in Message.objects.filter(conversation_id__in=conversation_ids).select_related("conversation"):
            Message.objects.filter(id=message.id).update(
                expires_at=text_deadline(owner=target, created_at=message.created_at),
                **sealed_columns_for(message, owner_key=target.key),
            )
        for job in Job.objects.filter(conversation_id__in=conversation_ids).select_related("conversation"):
            if sealed := sealed_columns_for(job, owner_key=target.key):
                Job.objects.filter(id=job.id).update(**sealed)
        for conversation in Conversation.objects.filter(id__in=conversation_ids):
            Conversation.objects.filter(id=conversation.id).update(
                expires_at=text_deadline(owner=target, created_at=conversation.updated_at),
                **sealed_columns_for(conversation, owner_key=target.key),
                **_owner_fields(target),
            )
        audit_record(
            kind="owner.transferred", actor=_actor(target), owner_key=target.key,
            target_type="owner", target_id=source.key, details={"conversations": count},
        )  # fmt: skip
        if count and target.user_id is not None:
            job_enqueue_on_commit(RESEAL_JOB, target.user_id)
    return count


def _resealed_name(blob_name: str, owner: Owner) -> str:
    kind, _, filename = blob_name.rsplit("/", 2)
    return f"{kind}/{owner.key}/{filename}"


def asset_blobs_reseal(*, owner: Owner) -> int:
    """Rewrite under `owner`'s key the bytes of their images still sealed under an earlier owner's (a
    guest's work carried over at sign-up). One image at a time: the bytes are written first under the
    new name, then the row is switched in a short transaction that checks it still names the old blob, and
    the old bytes go after that commits (a row that changed meanwhile keeps its blob and the copy goes).
    Safe to stop anywhere and to run again: every row names readable bytes at every moment, and a copy
    left by a run that stopped is replaced. Returns how many images were moved."""
    moved = 0
    pending = Asset.objects.filter(owner_filter(owner)).exclude(blob_name="")
    pending = pending.exclude(blob_name__contains=f"/{owner.key}/")
    for asset_id, old_name in list(pending.values_list("id", "blob_name")):
        with default_storage.open(old_name, "rb") as handle:
            new_name = _write_blob(_resealed_name(old_name, owner), handle.read())
        with transaction.atomic():
            switched = Asset.objects.filter(id=asset_id, blob_name=old_name).update(blob_name=new_name)
            if switched:
                _delete_blobs_on_commit([old_name])
        if not switched:
            default_storage.delete(new_name)
        moved += switched
    return moved


def asset_blobs_reseal_all(*, limit: int = 500) -> int:
    """The periodic pass: finish every carry-over whose job was lost (the queue was down, a worker died)."""
    pending = Asset.objects.filter(owner_user__isnull=False, blob_name__regex=GUEST_BLOB_NAME)
    moved = 0
    for user_id in pending.order_by().values_list("owner_user_id", flat=True).distinct()[:limit]:
        moved += asset_blobs_reseal(owner=Owner(user_id=user_id))
    return moved


def asset_delete(*, owner: Owner, asset_id: uuid.UUID) -> None:
    """Queue one image for deletion: hidden at once, purged next; versions made from it keep their pixels."""
    with transaction.atomic():
        asset = asset_get(owner=owner, asset_id=asset_id)
        audit_record(
            kind="deletion.requested", actor=_actor(owner), owner_key=owner.key,
            target_type="image", target_id=str(asset.id), details={"sha256": asset.sha256},
        )  # fmt: skip
        _queue(Asset.objects.filter(id=asset.id), reason="user_request")


def _upload_name(incoming: IncomingFile) -> str:
    return incoming.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]


def _upload_pixels(incoming: IncomingFile, *, limit: int) -> int:
    """Check the bytes and the header only (format allowlist, size, pixel limit); the pixel count."""
    from nanobananas.engine.errors import ImageInputError
    from nanobananas.engine.safety import probe_image

    name = _upload_name(incoming)
    if len(incoming.data) > limit:
        raise InvalidInput(
            f"{name or 'The file'} is larger than the {limit // (1024 * 1024)} MB limit.", code="file_too_large"
        )
    try:
        info = probe_image(incoming.data)
    except ImageInputError as exc:
        raise InvalidInput(f"{name or 'The file'}: {exc}", code="bad_image") from None
    return info.width * info.height


def _prepare_upload(incoming: IncomingFile) -> _Prepared:
    """Re-encode the pixels (big pictures streamed through libvips, one at a time): metadata never
    reaches storage, and the web process never holds a big picture decoded whole."""
    from nanobananas.engine.errors import ImageInputError
    from nanobananas.engine.streaming import upload_clean

    name = _upload_name(incoming)
    try:
        clean = upload_clean(incoming.data)
    except ImageInputError as exc:
        raise InvalidInput(f"{name or 'The file'}: {exc}", code="bad_image") from None
    content_type, extension = ("image/png", "png") if clean.format == "png" else ("image/jpeg", "jpg")
    return _Prepared(clean.preview, clean.data, content_type, extension, name, clean.width, clean.height)


def _next_number(conversation: Conversation, kind: str) -> int:
    current = Asset.objects.filter(conversation=conversation, kind=kind).aggregate(top=Max("number"))["top"]
    return int(current or 0) + 1


def message_send(
    *,
    owner: Owner,
    conversation_id: uuid.UUID,
    text: str,
    files: Sequence[IncomingFile] = (),
    base_version: int | None = None,
    mask: IncomingFile | None = None,
    size: tuple[int, int] | None = None,
    address_key: str | None = None,
    options: dict[str, Any] | None = None,
    charge: bool = True,
    refusal: str = "",
) -> tuple[Message, Job | None]:
    """Store the user's turn (with its uploads) and queue the job that answers it.

    Every file is checked before anything is written, so a bad file changes nothing. The job is
    enqueued once the rows are committed. A turn with pictures and no text gets a reply at once.
    `address_key` (the sender's address pseudonym) counts a guest's image against its address too, and
    a blocked turn against the address's moderation throttle.

    `options` are further job options (an AI tool run: see studio/tools.py); `charge=False` spends none of
    the image quota (a tool's preview); a `refusal` known before any work (a generative tool with no
    generative provider) stores the job refused with that message, costing no quota and never queued.
    """
    text = clean_text(text)
    if not text and not files:
        raise InvalidInput("Type what you would like to make.", code="empty_message")
    limit = settings.NANOBANANAS["MAX_PROMPT_CHARS"]
    if len(text) > limit:
        raise InvalidInput(f"A message can be at most {limit} characters.", code="message_too_long")
    if base_version is not None and base_version < 1:
        raise InvalidInput("base_version must be a version number (1 or more).", code="bad_base_version")
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise InvalidInput(f"Send at most {MAX_FILES_PER_MESSAGE} pictures at once.", code="too_many_files")
    conversation_get(owner=owner, conversation_id=conversation_id)
    plan = plan_for(owner=owner)
    limit = min(settings.NANOBANANAS["MAX_UPLOAD_BYTES"], plan.max_upload_bytes)
    pixels = sum(_upload_pixels(f, limit=limit) for f in files)
    if mask is not None:
        # The painted area of a picture sent with it, of a tool's picture, or of the version being edited
        # (the web editor's brush).
        has_version = Asset.objects.filter(
            conversation_id=conversation_id, kind=Asset.Kind.RESULT, state=Lifecycle.ACTIVE
        ).exists()
        if not (files or options or has_version) or not text:
            raise InvalidInput("A mask goes with a picture and an instruction.", code="mask_without_image")
        pixels += _upload_pixels(mask, limit=limit)
    if size is not None and not all(16 <= side <= 8192 for side in size):
        raise InvalidInput("A size must be between 16 and 8192 pixels a side.", code="bad_size")
    # Budgets from the headers, before any decoding: pixels, not bytes, are what cost memory and time.
    if pixels:
        request_pixels_check(pixels=pixels)
        pixel_budget_spend(owner=owner, pixels=pixels, address_key=address_key)
    prepared = [_prepare_upload(f) for f in (*files, *([mask] if mask is not None else []))]
    # Content review (the moderation app's screen) before anything is stored: a block raises and nothing is kept.
    review = content_screen().turn(
        owner=owner, text=text, images=[p.preview for p in prepared], address_key=address_key
    )

    now = timezone.now()
    written: list[str] = []
    try:
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(id=conversation_id)
            text_expiry = text_deadline(owner=owner, created_at=now)
            message = _message_create(conversation, Message.Role.USER, text, expires_at=text_expiry)
            first_upload = _next_number(conversation, Asset.Kind.UPLOAD)
            upload_ids: list[uuid.UUID] = []
            for offset, upload in enumerate(prepared):
                is_mask = mask is not None and offset == len(prepared) - 1
                asset_id = uuid.uuid4()
                upload_ids.append(asset_id)
                blob = _write_blob(f"uploads/{owner.key}/{asset_id}.{upload.extension}", upload.data)
                written.append(blob)
                stored = Asset(
                    id=asset_id,
                    conversation=conversation,
                    message=message,
                    kind=Asset.Kind.UPLOAD,
                    number=first_upload + offset,
                    operation=Asset.Operation.MASK if is_mask else Asset.Operation.UPLOAD,
                    blob_name=blob,
                    content_type=upload.content_type,
                    width=upload.width,
                    height=upload.height,
                    byte_size=len(upload.data),
                    sha256=hashlib.sha256(upload.data).hexdigest(),
                    created_at=now,
                    expires_at=retention_deadline(owner=owner, created_at=now),
                    **_owner_fields(owner),
                )
                stored.original_name = upload.original_name
                stored.save(force_insert=True)
            if text and not options and not refusal:
                from nanobananas.studio.videos import chat_video_options

                # "animate this poster": a video job on the video queue, counted against the plan's video
                # limits (checked here, so a refused turn is not stored) and not against its images.
                video = chat_video_options(owner=owner, conversation=conversation, text=text, attachment_ids=upload_ids)
                if video is not None:
                    options, charge = {"video": video}, False
            job: Job | None = None
            if text:
                # Counted in the same transaction: a turn that is not stored costs nothing, nor a refusal.
                if charge and not refusal:
                    quota_consume(owner=owner, kind="image", address_key=address_key)
                number = (Job.objects.filter(conversation=conversation).aggregate(top=Max("number"))["top"] or 0) + 1
                job_options: dict[str, Any] = dict(options or {})
                if size is not None:
                    job_options["size"] = list(size)
                if mask is not None:
                    job_options["mask"] = str(upload_ids[-1])
                job = Job(
                    conversation=conversation,
                    number=number,
                    request=message,
                    base_version=base_version,
                    options=job_options,
                    queued_at=now,
                    stage="Waiting in line",
                )
                if refusal:
                    job.status, job.error_code, job.stage = Job.Status.REFUSED, "refused", "Could not do this"
                    job.started_at = job.finished_at = now
                    job.error_message = refusal  # sealed with the owner's key
                job.save(force_insert=True)
                audit_record(
                    kind="generation.requested",
                    actor=_actor(owner),
                    owner_key=owner.key,
                    target_type="job",
                    target_id=str(job.id),
                    details={
                        "conversation": str(conversation.id),
                        "pictures": len(prepared),
                        "review": review.audit_details(),
                    },
                )
                section = "tools" if (options or {}).get("tool") else "image"
                analytics_record(owner, "generation_requested", section=section)
                if refusal:
                    audit_record(
                        kind="generation.refused", actor="system", owner_key=owner.key, target_type="job",
                        target_id=str(job.id), details={"provider": "", "error_code": "refused",
                                                        "refusal": "needs_provider", "attempt": 0},
                    )  # fmt: skip
                else:
                    _enqueue_on_commit(job.id)
            else:
                numbers = ", ".join(str(first_upload + i) for i in range(len(prepared)))
                label = "picture" if len(prepared) == 1 else "pictures"
                reply = f"Got your {label} ({label} {numbers}). What would you like me to do?"
                _message_create(conversation, Message.Role.ASSISTANT, reply, expires_at=text_expiry)
            review.queue(conversation_id=conversation.id, message_id=message.id, upload_ids=upload_ids,
                         job_id=job.id if job is not None else None)  # fmt: skip
            update: dict[str, object] = {"updated_at": now, "expires_at": text_expiry}
            if not conversation.sealed_title:
                title = (text or prepared[0].original_name or "Pictures")[:TITLE_CHARS]
                update["sealed_title"] = sealed_token(conversation, "title", title)
            Conversation.objects.filter(id=conversation.id).update(**update)
    except BaseException:
        for blob in written:
            default_storage.delete(blob)
        raise
    return message, job


def job_progress(*, job_id: uuid.UUID, percent: int, stage: str, attempt: int | None = None) -> None:
    """Record progress of a running job; with `attempt`, only while that run still holds the job, so a
    run that lost its lease cannot overwrite what the run that replaced it reports."""
    holder = {} if attempt is None else {"attempts": attempt}
    if Job.objects.filter(id=job_id, status=Job.Status.RUNNING, **holder).update(
        progress=max(0, min(100, percent)), stage=stage[:200], heartbeat_at=timezone.now()
    ):
        job_changed(job_id)


def _lease_renew(job_id: uuid.UUID, attempt: int) -> bool:
    """Renew the lease of run `attempt` (its heartbeat); False once the job is no longer that run's."""
    return bool(
        Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).update(heartbeat_at=timezone.now())
    )


def _holds(job_id: uuid.UUID, attempt: int) -> bool:
    return Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).exists()


class _Lease:
    """Keeps a running job's lease alive from a background thread for as long as the run lasts.

    Progress steps alone leave long gaps: one planner or provider call can outlast the stale timeout,
    and the rescue would then hand a live job to a second worker. The thread renews the heartbeat
    every fifth of the timeout, so only a job whose worker is really gone goes stale.
    """

    def __init__(self, job_id: uuid.UUID, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        # A floor, so a timeout set to 0 (everything stale at once) cannot make the thread spin on the database.
        self.every = max(settings.NANOBANANAS["WORKER_STALE_SECONDS"] / 5, 0.2)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-lease-{job_id}", daemon=True)

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    if not _lease_renew(self.job_id, self.attempt):
                        return
                except DatabaseError:
                    # A missed beat is not fatal (the lease outlasts several); the next one tries again.
                    logger.warning("job %s: could not renew the lease", self.job_id, exc_info=True)
        finally:
            connections.close_all()


def job_retry(*, owner: Owner, job_id: uuid.UUID) -> Job:
    """Queue a failed job again; anything else is a conflict."""
    with transaction.atomic():
        job = job_get(owner=owner, job_id=job_id)
        reset = Job.objects.filter(id=job.id, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED,
            progress=0,
            stage="Waiting in line (retrying)",
            error_code="",
            sealed_error_message="",
            queued_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        if not reset:
            raise Conflict(f"Only a failed job can be retried; this one is {job.status}.", code="not_retryable")
        _enqueue_on_commit(job.id)
    job.refresh_from_db()
    return job


def _claim(job_id: uuid.UUID) -> int | None:
    """Move a queued job to running and return this run's attempt number, or None if it was not won.

    Exactly one caller wins, and only once every earlier job of the same conversation has finished, so
    turns are answered in the order they were sent. The attempt number is the run's token: every write
    the run makes later checks that the job still carries it, so a run that was given up on (its lease
    expired and another worker claimed the job) changes nothing.
    """
    earlier_unfinished = Job.objects.filter(
        conversation=OuterRef("conversation"), number__lt=OuterRef("number"), status__in=UNFINISHED
    )
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Job.objects.filter(id=job_id, status=Job.Status.QUEUED)
            .exclude(Exists(earlier_unfinished))
            .update(
                status=Job.Status.RUNNING,
                attempts=F("attempts") + 1,
                started_at=now,
                heartbeat_at=now,
                progress=5,
                stage="Starting",
            )
        )
        if claimed != 1:
            return None
        # Read inside the claiming transaction: the row stays locked by the update until commit.
        return int(Job.objects.values_list("attempts", flat=True).get(id=job_id))


def _finish(
    job_id: uuid.UUID,
    *,
    attempt: int,
    status: str,
    code: str = "",
    message: str = "",
    reason: str = "",
    review: dict[str, Any] | None = None,
) -> None:
    """End run `attempt` of a job that made nothing; `reason` is the provider's refusal code and `review`
    the content review's verdict (categories and rules, no content), for the audit log. A run that no
    longer holds the job records nothing."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=job_id)
        if job.status != Job.Status.RUNNING or job.attempts != attempt:
            return
        owner = _owner_of(job.conversation)
        details: dict[str, Any] = {"provider": job.provider, "error_code": code, "attempt": job.attempts}
        if reason:
            details["refusal"] = reason
        if review:
            details["review"] = review
        audit_record(
            kind=f"generation.{status}",
            actor="system",
            owner_key=owner.key,
            target_type="job",
            target_id=str(job_id),
            details=details,
        )
        if status == Job.Status.FAILED:
            analytics_record(owner, "error", kind=code)
        finished = Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).update(
            status=status,
            error_code=code,
            sealed_error_message=sealed_token(job, "error_message", message),
            stage={"failed": "Failed", "refused": "Could not do this"}.get(status, "Done"),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        if finished and status == Job.Status.REFUSED and reason == "needs_provider":
            # Nothing was made: this server cannot do it. The image the request counted is given back.
            quota_release(owner=owner, counted_at=job.queued_at)
        if finished:
            _enqueue_next(Job.objects.values_list("conversation_id", flat=True).get(id=job_id))


def _enqueue_next(conversation_id: uuid.UUID) -> None:
    """Hand the conversation's next waiting turn to the queue once this one is committed."""
    following = (
        Job.objects.filter(conversation_id=conversation_id, status=Job.Status.QUEUED)
        .order_by("number")
        .values_list("id", flat=True)
        .first()
    )
    if following is not None:
        _enqueue_on_commit(following)


def _ref(asset: Asset) -> ImageRef:
    if asset.kind == Asset.Kind.UPLOAD:
        return ImageRef(id=asset.id, kind="upload", number=asset.number, parent_id=asset.parent_id)
    return ImageRef(id=asset.id, kind="result", number=asset.number, parent_id=asset.parent_id)


def _conversation_state(job: Job) -> ConversationState:
    """The images this turn can see: versions made by earlier turns, uploads sent up to this turn."""
    # The owner columns too: opening the sealed plan needs the owner's key.
    fields = ("id", "kind", "number", "parent_id", "message_id", "operation", "sealed_plan", "owner_user",
              "owner_guest")  # fmt: skip
    versions = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.RESULT,
            state=Lifecycle.ACTIVE,
            job__number__lt=job.number,
        )
        .only(*fields)
        .order_by("number")
    )
    uploads = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.UPLOAD,
            state=Lifecycle.ACTIVE,
            message__created_at__lte=job.request.created_at,
        )
        .only(*fields)
        .order_by("number")
    )
    last_edit = next((a for a in reversed(versions) if a.operation == Asset.Operation.EDIT and a.plan), None)
    # A painted area is not a picture: "the first picture" never means one, in this turn or a later one.
    uploads = [a for a in uploads if a.operation != Asset.Operation.MASK]
    return ConversationState(
        versions=[_ref(a) for a in versions],
        uploads=[_ref(a) for a in uploads if a.message_id != job.request_id],
        attachments=[_ref(a) for a in uploads if a.message_id == job.request_id],
        last_plan=last_edit.plan if last_edit is not None else None,
    )


# What is left of the running job's pixel budget (NANOBANANAS_JOB_MEGAPIXELS), set for the length of a job.
_JOB_PIXELS_LEFT: ContextVar[list[int] | None] = ContextVar("job_pixels_left", default=None)
# However spent the budget, a picture is still loaded this big: a job's inputs are few (at most the files of
# one message and two earlier turns), so memory stays bounded and the result stays usable.
_MIN_INPUT_PIXELS = 1_000_000


@contextmanager
def _job_pixel_budget() -> Iterator[None]:
    token = _JOB_PIXELS_LEFT.set([int(settings.NANOBANANAS["JOB_MEGAPIXELS"]) * 1_000_000])
    try:
        yield
    finally:
        _JOB_PIXELS_LEFT.reset(token)


def _load_images(asset_ids: Sequence[uuid.UUID]) -> list[Image.Image]:
    """Inputs of a job, shrunk while libvips decodes them: each no bigger than the owner's plan lets a
    result be (a guest's edit of a 49 MP upload works on 4 MP), and together within what is left of the
    job's pixel budget (a Pro combine of four 49 MP pictures loads each at 12.5 MP, not 196 MP in all).
    Pictures loaded together share the budget in proportion to their size."""
    from nanobananas.engine.safety import probe_image
    from nanobananas.engine.streaming import image_load_within

    found = Asset.objects.in_bulk(list(asset_ids))
    blobs: list[bytes] = []
    sides: list[float] = []  # the longest side each picture is loaded at
    shapes: list[float] = []  # pixels per square of the longest side: 1 square, 0.5 for 2:1
    for asset_id in asset_ids:
        asset = found[asset_id]
        user, guest = asset.owner_user_id, asset.owner_guest_id
        owner = Owner(user_id=user) if user is not None else Owner(guest_id=guest)
        with default_storage.open(asset.blob_name, "rb") as handle:
            blobs.append(handle.read())
        info = probe_image(blobs[-1])
        longest = max(info.width, info.height)
        sides.append(min(longest, plan_for(owner=owner).max_resolution))
        shapes.append(info.width * info.height / longest**2)
    left = _JOB_PIXELS_LEFT.get()
    if left is not None:
        wanted = sum(side * side * shape for side, shape in zip(sides, shapes, strict=True))
        allowed = max(left[0], _MIN_INPUT_PIXELS * len(sides))
        if wanted > allowed:
            scale = (allowed / wanted) ** 0.5
            sides = [
                max(side * scale, (_MIN_INPUT_PIXELS / shape) ** 0.5) for side, shape in zip(sides, shapes, strict=True)
            ]
        left[0] = max(0, left[0] - round(sum(side * side * shape for side, shape in zip(sides, shapes, strict=True))))
    return [image_load_within(data, longest=max(1, int(side))) for data, side in zip(blobs, sides, strict=True)]


def _load_image(asset_id: uuid.UUID) -> Image.Image:
    """One input of a job (see _load_images)."""
    [image] = _load_images([asset_id])
    return image


def _label(ref: ImageRef) -> str:
    return f"version {ref.number}" if ref.kind == "result" else f"picture {ref.number}"


def _describe_steps(steps: list[dict[str, Any]]) -> str:
    names = [str(step["op"]).replace("_", " ") for step in steps]
    return ", then ".join(names) if names else "nothing to change"


def _requested_size(job: Job) -> tuple[int, int] | None:
    size = job.options.get("size")
    return (int(size[0]), int(size[1])) if size else None


def _apply_mask(original: Image.Image, edited: Image.Image, mask: Image.Image) -> Image.Image:
    """Keep the edit only where the mask is fully transparent (the OpenAI images API's convention)."""
    if edited.size != original.size:
        raise ProviderRefused("A mask only works with edits that keep the picture's size.")
    alpha = mask.convert("RGBA").getchannel("A").resize(original.size, Image.Resampling.NEAREST)
    editable = alpha.point(lambda value: 255 if value == 0 else 0)
    mode = "RGBA" if "A" in edited.getbands() or "A" in original.getbands() else "RGB"
    return Image.composite(edited.convert(mode), original.convert(mode), editable)


def _sent(made: GeneratedImage, job: Job, inputs: list[uuid.UUID]) -> dict[str, Any]:
    """What left the server to make `made`: ids and hashes only (see Asset.sent)."""
    details = made.details.get("sent")
    sent = dict(details) if isinstance(details, dict) else {}
    sent.update(
        {
            "provider": made.provider,
            "model": made.model,
            "prompt_message_id": str(job.request_id),
            "input_asset_ids": [str(i) for i in inputs],
        }
    )
    return sent


def _history(job: Job, provider: str, *, turns: int = 2) -> list[Turn]:
    """The conversation's last `turns` exchanges that this provider already made, oldest first, for
    providers that edit in a chat ("now make it bigger" builds on what it made before). Turns the
    built-in engine answered are not sent: they never left the server, and stay that way."""
    earlier = list(
        Asset.objects.filter(
            conversation_id=job.conversation_id,
            kind=Asset.Kind.RESULT,
            state=Lifecycle.ACTIVE,
            provider=provider,
            job__number__lt=job.number,
        )
        .select_related("job__request", "message")
        .order_by("-job__number")[:turns]
    )
    history: list[Turn] = []
    for asset in reversed(earlier):
        request = asset.job.request if asset.job is not None else None
        history.append(Turn(role="user", text=request.text if request is not None else ""))
        history.append(
            Turn(
                role="model",
                text=asset.message.text,
                images=(_load_image(asset.id),),
                signatures=turn_signatures(asset.steps),
            )
        )
    return history


def _generate(intent: Intent, route: Providers, job: Job, progress: Any) -> _Outcome:
    size = _requested_size(job)
    if route.generative is not None:
        made = route.generative.generate(prompt=intent.text, progress=progress, size=size)
        return _Outcome(
            reply="Here is your picture.",
            image=made.image,
            operation=Asset.Operation.GENERATE,
            steps=list(made.details.get("steps", [])),
            provider=made.provider,
            model=made.model,
            sent=_sent(made, job, []),
        )
    try:
        made = route.local.generate(prompt=intent.text, progress=progress, size=size)
    except ProviderRefused as exc:
        if exc.code != "needs_provider":
            raise
        raise ProviderRefused(f"{exc} {route.unavailable}", code="needs_provider") from exc
    return _Outcome(
        reply="Here is your design.",
        image=made.image,
        operation=Asset.Operation.GENERATE,
        plan=made.details.get("spec") if isinstance(made.details.get("spec"), dict) else None,
        provider=made.provider,
        model=made.model,
    )


def _edit(intent: Intent, route: Providers, job: Job, state: ConversationState, progress: Any) -> _Outcome:
    """One image changed as the words say: the planner decides whether the built-in engine can do it
    (cheap, private) or only a generative model can."""
    [base] = intent.bases[:1]
    progress(10, f"Opening {_label(base)}")
    if job.options.get("mask"):
        # Loaded together, so that a shrink under the job's pixel budget keeps them the same size.
        original, mask = _load_images([base.id, uuid.UUID(job.options["mask"])])
    else:
        original, mask = _load_image(base.id), None
    if intent.kind == "repeat" and state.last_plan is not None:
        plan: dict[str, Any] | None = state.last_plan
    else:
        progress(15, "Understanding your request")
        decision = route.planner.decide(intent.text, image_size=original.size)
        # Words the rule-based planner does not know go to a generative model when one may be used
        # (it understands free phrasing); a question an LLM planner chose to ask is asked.
        if decision.kind == "clarify" and not (route.generative is not None and decision.planner == "builtin"):
            raise ClarificationNeeded(decision.question, decision.suggestions)
        plan = decision.plan if decision.kind == "builtin" else None
        if decision.kind != "builtin":
            if route.generative is None:
                raise ProviderRefused(f"{decision.reason} {route.unavailable}".strip(), code="needs_provider")
            return _edit_generative(intent, route, job, state, original, mask, progress)
    edited = route.local.edit(image=original, instruction=intent.text, progress=progress, plan=plan)
    if mask is not None:
        edited.image = _apply_mask(original, edited.image, mask)
    if (size := _requested_size(job)) is not None and edited.image.size != size:
        edited.image = ImageOps.fit(edited.image, size, Image.Resampling.LANCZOS)
    steps = list(edited.details.get("steps", []))
    prefix = "Did the same" if intent.kind == "repeat" else "Done"
    return _Outcome(
        reply=f"{prefix}: {_describe_steps(steps)}.",
        image=edited.image,
        operation=Asset.Operation.EDIT,
        parent_id=base.id,
        inputs=[base.id],
        plan=edited.details.get("plan"),
        steps=steps,
        provider=edited.provider,
        model=edited.model,
    )


def _edit_generative(
    intent: Intent,
    route: Providers,
    job: Job,
    state: ConversationState,
    original: Image.Image,
    mask: Image.Image | None,
    progress: Any,
) -> _Outcome:
    assert route.generative is not None
    provider = route.generative
    [base] = intent.bases[:1]
    # The other pictures sent with this turn go along ("put this product in that scene").
    extras = [ref for ref in state.attachments if ref.id != base.id] if provider.can_edit_many else []
    # Earlier turns are read (and their pictures decoded) only for a provider that uses them.
    history = _history(job, provider.name) if provider.can_chat else []
    progress(30, f"Asking {provider.label}")
    made = provider.edit(
        image=original,
        instruction=intent.text,
        progress=progress,
        images=_load_images([ref.id for ref in extras]) if extras else [],
        mask=mask,
        history=history,
    )
    if mask is not None:
        if made.image.size != original.size:
            made.image = ImageOps.fit(made.image, original.size, Image.Resampling.LANCZOS)
        made.image = _apply_mask(original, made.image, mask)
    if (size := _requested_size(job)) is not None and made.image.size != size:
        made.image = ImageOps.fit(made.image, size, Image.Resampling.LANCZOS)
    inputs = [base.id, *(ref.id for ref in extras)]
    return _Outcome(
        reply="Done.",
        image=made.image,
        operation=Asset.Operation.EDIT,
        parent_id=base.id,
        inputs=inputs,
        steps=list(made.details.get("steps", [])),
        provider=made.provider,
        model=made.model,
        sent=_sent(made, job, inputs),
    )


def _carry_out(intent: Intent, route: Providers, job: Job, state: ConversationState) -> _Outcome:
    def progress(percent: int, stage: str) -> None:
        job_progress(job_id=job.id, percent=percent, stage=stage, attempt=job.attempts)

    if intent.kind == "clarify":
        return _Outcome(reply=intent.question)
    if intent.kind == "tool":
        from nanobananas.studio.tools import tool_outcome

        return tool_outcome(job=job, route=route, name=intent.tool, params=intent.params,
                            inputs=[ref.id for ref in intent.bases], progress=progress)  # fmt: skip
    if intent.kind == "generate":
        from nanobananas.analytics.personalization import design_preferences_for
        from nanobananas.engine.planner.preferences import design_preferences_used

        # The person's learned size, palette and fonts fill in what a design request leaves open.
        with design_preferences_used(design_preferences_for(owner=_owner_of(job.conversation))):
            return _generate(intent, route, job, progress)
    if intent.kind == "revert":
        [base] = intent.bases
        progress(50, f"Going back to {_label(base)}")
        return _Outcome(
            reply=f"Back to {_label(base)}.",
            image=_load_image(base.id),
            operation=Asset.Operation.REVERT,
            parent_id=base.id,
            inputs=[base.id],
            provider="builtin",
            model="copy",
        )
    if intent.kind == "combine":
        from nanobananas.engine.compose import COMPOSE_VERSION, compose

        progress(30, "Combining the pictures")
        images = _load_images([ref.id for ref in intent.bases])
        layout = intent.layout if intent.layout in {"horizontal", "vertical", "grid"} else "horizontal"
        combined = compose(images, layout=layout)  # type: ignore[arg-type]  # checked just above
        labels = " and ".join(_label(ref) for ref in intent.bases)
        words = {"horizontal": "side by side", "vertical": "one above the other", "grid": "in a grid"}[layout]
        return _Outcome(
            reply=f"Combined {labels} {words}.",
            image=combined,
            operation=Asset.Operation.COMBINE,
            parent_id=intent.bases[0].id,
            inputs=[ref.id for ref in intent.bases],
            steps=[{"op": "compose", "version": COMPOSE_VERSION, "params": {"layout": layout}}],
            provider="builtin",
            model="nanobananas-engine",
        )
    if intent.kind == "overlay":
        from nanobananas.engine.compose import COMPOSE_VERSION, overlay

        progress(30, "Placing the logo")
        first, second = _load_images([ref.id for ref in intent.bases])
        # The logo is the smaller picture, whichever order they came in.
        (photo, photo_ref), (logo, logo_ref) = sorted(
            [(first, intent.bases[0]), (second, intent.bases[1])], key=lambda item: -item[0].width * item[0].height
        )
        placed = overlay(photo, logo, position=intent.layout)
        return _Outcome(
            reply=f"Placed {_label(logo_ref)} on {_label(photo_ref)} ({intent.layout.replace('-', ' ')}).",
            image=placed,
            operation=Asset.Operation.COMBINE,
            parent_id=photo_ref.id,
            inputs=[photo_ref.id, logo_ref.id],
            steps=[{"op": "overlay", "version": COMPOSE_VERSION, "params": {"position": intent.layout}}],
            provider="builtin",
            model="nanobananas-engine",
        )
    if intent.kind == "background":
        from nanobananas.engine.compose import COMPOSE_VERSION, place_on_background
        from nanobananas.engine.errors import EngineError
        from nanobananas.engine.ops import get_operation, validate_params

        subject_ref, background_ref = intent.bases
        progress(25, "Cutting out the subject")
        try:
            cut = get_operation("remove_background").apply(
                _load_image(subject_ref.id), validate_params("remove_background", {})
            )
        except EngineError as exc:
            raise ProviderError(str(exc)) from exc
        progress(70, "Putting it on the new background")
        return _Outcome(
            reply=f"Put the subject of {_label(subject_ref)} on {_label(background_ref)}.",
            image=place_on_background(cut, _load_image(background_ref.id)),
            operation=Asset.Operation.COMBINE,
            parent_id=subject_ref.id,
            inputs=[subject_ref.id, background_ref.id],
            steps=[
                {"op": "remove_background", "version": get_operation("remove_background").version, "params": {}},
                {"op": "place_on_background", "version": COMPOSE_VERSION, "params": {}},
            ],
            provider="builtin",
            model="nanobananas-engine",
        )
    return _edit(intent, route, job, state, progress)


def _with_base_version(intent: Intent, job: Job, state: ConversationState) -> Intent:
    """An explicit `base_version` replaces "the latest version" as the image an edit applies to."""
    if job.base_version is None or intent.kind not in {"edit", "repeat"} or state.attachments:
        return intent
    base = next((v for v in state.versions if v.number == job.base_version), None)
    if base is None:
        return Intent(kind="clarify", text=intent.text, question=f"There is no version {job.base_version} yet.")
    return Intent(kind=intent.kind, text=intent.text, bases=[base])


def job_run(*, job_id: uuid.UUID) -> None:
    """Run a job to the end. Safe to call twice: only a queued job is claimed, the claiming run keeps its
    lease alive for as long as it works (planner and provider calls included), and only the run that
    holds the job stores a result, once."""
    attempt = _claim(job_id)
    if attempt is None:
        return
    job_changed(job_id)
    try:
        with _Lease(job_id, attempt), _job_pixel_budget():
            if Job.objects.filter(id=job_id, options__has_key="video").exists():
                from nanobananas.studio.videos import video_job_work

                video_job_work(job_id, attempt)
            else:
                _job_work(job_id, attempt)
    finally:
        # Done, failed, refused or given up: the streams read the end state now, not at their next re-read.
        job_changed(job_id)


def _job_work(job_id: uuid.UUID, attempt: int) -> None:
    started = time.perf_counter()
    job = Job.objects.select_related("conversation", "request").get(id=job_id)
    # The attempt this run claimed, whatever the row says by now: every later write is checked against it.
    job.attempts = attempt
    route = providers_for(_owner_of(job.conversation))
    provider = route.generative or route.local
    Job.objects.filter(id=job_id, attempts=attempt).update(provider=provider.name)
    try:
        if job.options.get("tool"):
            from nanobananas.studio.tools import tool_job_carry_out

            outcome = tool_job_carry_out(job, route)
        else:
            state = _conversation_state(job)
            intent = _with_base_version(resolve_intent(job.request.text, state), job, state)
            outcome = _carry_out(intent, route, job, state)
    except ClarificationNeeded as exc:
        tips = "; ".join(f"“{s}”" for s in exc.suggestions[:3])
        outcome = _Outcome(reply=f"{exc.question} For example: {tips}." if tips else exc.question)
    except ProviderAnsweredText as exc:
        # The model answered in words and made no picture: its words are the reply.
        outcome = _Outcome(reply=exc.text, provider=exc.provider, model=exc.model)
    except ProviderRefused as exc:
        if not _holds(job_id, attempt):
            return
        verdict = content_screen().provider_refusal(owner=_owner_of(job.conversation), job_id=job_id, exc=exc)
        _finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code="refused", message=str(exc),
                reason=exc.code, review=verdict.as_dict() if verdict.blocked else None)  # fmt: skip
        return
    except ProviderError as exc:
        logger.warning("job %s: provider %s failed: %s", job_id, provider.name, exc)
        _finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="provider_error", message=str(exc))
        error_report_create(job_id=job_id, exc=exc, provider=provider.name,
                            duration_ms=round((time.perf_counter() - started) * 1000))  # fmt: skip
        return
    except EngineError as exc:
        # What an AI tool cannot do with this picture ("no face found"): its stable code and its sentence.
        _finish(job_id, attempt=attempt, status=Job.Status.REFUSED, code=getattr(exc, "code", "") or "bad_input",
                message=str(exc))  # fmt: skip
        return
    except Exception as exc:
        logger.exception("job %s: unexpected failure", job_id)
        _finish(job_id, attempt=attempt, status=Job.Status.FAILED, code="internal_error",
                message=INTERNAL_ERROR_MESSAGE)  # fmt: skip
        error_report_create(job_id=job_id, exc=exc, provider=provider.name,
                            duration_ms=round((time.perf_counter() - started) * 1000))  # fmt: skip
        return
    _store_outcome(job, outcome, duration_ms=round((time.perf_counter() - started) * 1000))


def _stored_png(image: Image.Image) -> bytes:
    """Lossless and quick: versions are read back for the next edit and converted on download, so
    speed matters more here than the last few percent of size (no metadata is written)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _result_blob_name(owner: Owner, job_id: uuid.UUID, attempt: int, index: int = 0, extension: str = "png") -> str:
    """Where run `attempt` of a job stores its picture; `index` numbers a tool's further outputs."""
    return f"assets/{owner.key}/{job_id}-{attempt}{f'-{index}' if index else ''}.{extension}"


_STORED_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif"}


def _within_plan(image: Image.Image, longest: int) -> Image.Image:
    """The plan's resolution limit: keep the aspect, shrink the longest side to the limit."""
    if max(image.size) <= longest:
        return image
    image = image.copy()
    image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return image


def _encoded(image: Image.Image, data: bytes | None, content_type: str) -> tuple[bytes, str]:
    """The bytes to store and their type: the result's own encoding when it is the result and kept its
    pixels (a compressor's JPEG), else lossless PNG."""
    if data is not None and content_type in _STORED_TYPES:
        return data, content_type
    return _stored_png(image), "image/png"


def _store_outcome(job: Job, outcome: _Outcome, *, duration_ms: int) -> None:
    """Store what run `job.attempts` made, unless the job is no longer that run's (then nothing at all)."""
    attempt = job.attempts
    if not _holds(job.id, attempt):
        logger.warning("job %s: attempt %d lost its lease; its result is dropped", job.id, attempt)
        return
    owner = _owner_of(job.conversation)
    stored_name = ""
    data = b""
    content_type = "image/png"
    screened = None
    extras: list[tuple[_OutcomeFile, str, bytes, str, Any]] = []
    if outcome.image is not None:
        job_progress(job_id=job.id, percent=90, stage="Saving the image", attempt=attempt)
        longest = plan_for(owner=owner).max_resolution
        if max(outcome.image.size) > longest:
            outcome.image, outcome.data = _within_plan(outcome.image, longest), None
        screened = content_screen().result(owner=owner, job_id=job.id, image=outcome.image)
        if screened.blocked:
            _finish(job.id, attempt=attempt, status=Job.Status.REFUSED, code="content_blocked",
                    message=screened.message, review=screened.audit_details())  # fmt: skip
            return
        data, content_type = _encoded(outcome.image, outcome.data, outcome.content_type)
        # One name per attempt: a run that lost the job can never overwrite or delete the bytes of the
        # run that replaced it. The winner removes what earlier attempts of its job may have left.
        stored_name = _write_blob(_result_blob_name(owner, job.id, attempt, 0, _STORED_TYPES[content_type]), data)
        for index, more in enumerate(outcome.more, start=1):
            if max(more.image.size) > longest:
                more.image, more.data = _within_plan(more.image, longest), None
            more_screened = content_screen().result(owner=owner, job_id=job.id, image=more.image)
            if more_screened.blocked:
                for name in [stored_name, *(extra[1] for extra in extras)]:
                    default_storage.delete(name)
                _finish(job.id, attempt=attempt, status=Job.Status.REFUSED, code="content_blocked",
                        message=more_screened.message, review=more_screened.audit_details())  # fmt: skip
                return
            more_data, more_type = _encoded(more.image, more.data, more.content_type)
            name = _result_blob_name(owner, job.id, attempt, index, _STORED_TYPES[more_type])
            extras.append((more, _write_blob(name, more_data), more_data, more_type, more_screened))

    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(id=job.id)
        if locked.status != Job.Status.RUNNING or locked.attempts != attempt:
            for name in [stored_name, *(extra[1] for extra in extras)]:
                if name:
                    default_storage.delete(name)
            return
        if attempt > 1:
            # Earlier runs of the same job made the same kinds of files (a tool's outputs are fixed by its params).
            kinds = [(0, _STORED_TYPES[content_type])] + [(i, _STORED_TYPES[e[3]]) for i, e in enumerate(extras, 1)]
            _delete_blobs_on_commit(
                [_result_blob_name(owner, job.id, earlier, i, ext) for earlier in range(1, attempt) for i, ext in kinds]
            )
        conversation = Conversation.objects.select_for_update().get(id=job.conversation_id)
        number = _next_number(conversation, Asset.Kind.RESULT)
        reply_text = outcome.reply
        if outcome.image is not None:
            reply_text = f"{outcome.reply} (version {number})"
            if extras:
                reply_text = f"{outcome.reply} (versions {number} to {number + len(extras)})"
        reply = _message_create(
            conversation, Message.Role.ASSISTANT, reply_text, expires_at=text_deadline(owner=owner, created_at=now)
        )
        if outcome.image is not None:
            asset = Asset(
                conversation=conversation,
                message=reply,
                job=locked,
                kind=Asset.Kind.RESULT,
                number=number,
                operation=outcome.operation,
                parent_id=outcome.parent_id,
                inputs=[str(i) for i in outcome.inputs],
                duration_ms=duration_ms,
                blob_name=stored_name,
                content_type=content_type,
                width=outcome.image.width,
                height=outcome.image.height,
                byte_size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                provider=outcome.provider,
                model=outcome.model,
                sent=outcome.sent,
                created_at=now,
                expires_at=retention_deadline(owner=owner, created_at=now),
                **_owner_fields(owner),
            )
            asset.plan, asset.steps = outcome.plan, outcome.steps
            asset.save(force_insert=True)
            analytics_record(owner, "generation_completed", operation=str(outcome.operation),
                             provider=outcome.provider, duration_ms=duration_ms)  # fmt: skip
            if screened is not None:
                screened.queue(conversation_id=conversation.id, message_id=reply.id, asset_id=asset.id, job_id=job.id)
            # A tool's further outputs: versions of their own, made by the same run from the same inputs. A
            # job holds one asset, so they belong to the reply message (where the chat and the ZIP find them).
            for offset, (more, more_name, more_data, more_type, more_screened) in enumerate(extras, start=1):
                extra = Asset(
                    conversation=conversation, message=reply, kind=Asset.Kind.RESULT, number=number + offset,
                    operation=outcome.operation, parent_id=outcome.parent_id, inputs=[str(i) for i in outcome.inputs],
                    duration_ms=duration_ms, blob_name=more_name, content_type=more_type, width=more.image.width,
                    height=more.image.height, byte_size=len(more_data), sha256=hashlib.sha256(more_data).hexdigest(),
                    provider=outcome.provider, model=outcome.model, sent=outcome.sent, created_at=now,
                    expires_at=retention_deadline(owner=owner, created_at=now), **_owner_fields(owner),
                )  # fmt: skip
                extra.plan, extra.steps = None, more.steps
                extra.save(force_insert=True)
                more_screened.queue(
                    conversation_id=conversation.id, message_id=reply.id, asset_id=extra.id, job_id=job.id
                )
        # The provider that answered (the engine, when a cloud model was available but not needed).
        Job.objects.filter(id=job.id).update(
            status=Job.Status.DONE,
            result=reply,
            progress=100,
            stage="Done",
            finished_at=now,
            heartbeat_at=now,
            provider=outcome.provider or locked.provider,
        )
        plan_json = json.dumps(outcome.plan, sort_keys=True, default=str) if outcome.plan is not None else ""
        audit_record(
            kind="generation.done",
            actor="system",
            owner_key=owner.key,
            target_type="job",
            target_id=str(job.id),
            details={
                "provider": outcome.provider,
                "model": outcome.model,
                "operation": outcome.operation,
                "third_party": bool(outcome.sent),
                "plan_sha256": hashlib.sha256(plan_json.encode()).hexdigest() if plan_json else "",
                "image_sha256": hashlib.sha256(data).hexdigest() if data else "",
                "duration_ms": duration_ms,
                "review": screened.audit_details() if screened is not None else {},
            },
        )
        Conversation.objects.filter(id=conversation.id).update(
            updated_at=now, expires_at=text_deadline(owner=owner, created_at=now)
        )
        _enqueue_next(conversation.id)


def jobs_rescue_stale(*, stale_after: timedelta | None = None) -> list[uuid.UUID]:
    """Requeue jobs whose worker is gone: running with an expired lease, or queued and never picked up.

    A running job's lease is its heartbeat, renewed by the worker's lease thread every fifth of the
    stale timeout for as long as the run lasts, so a job is only taken from a worker that stopped
    renewing it (killed, or hung for the whole timeout). If such a worker wakes up after all, its writes
    are refused: the next claim raised the attempt number it carries. Every worker runs this every few
    seconds (studio/rescue.py), so several may find the same lost job at once: each change is a
    conditional update that only one of them wins, and only the winner enqueues the job. Returns the ids
    this call requeued; each is enqueued again once the change is committed.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.NANOBANANAS["WORKER_STALE_SECONDS"])
    cutoff = timezone.now() - stale_after
    # Looked up first, outside a transaction: almost every pass finds nothing and then takes no write lock.
    stale_running = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).values_list("id", flat=True)
    )
    forgotten = list(Job.objects.filter(status=Job.Status.QUEUED, queued_at__lt=cutoff).values_list("id", flat=True))
    rescued: list[uuid.UUID] = []
    if not stale_running and not forgotten:
        return rescued
    with transaction.atomic():
        now = timezone.now()
        for job_id in stale_running:
            if Job.objects.filter(id=job_id, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
                status=Job.Status.QUEUED, stage="Waiting in line (retrying)", queued_at=now
            ):
                rescued.append(job_id)
        for job_id in forgotten:
            # Restarting its clock is the claim on it, and keeps a merely busy queue from being flooded
            # with duplicates at every pass.
            if Job.objects.filter(id=job_id, status=Job.Status.QUEUED, queued_at__lt=cutoff).update(queued_at=now):
                rescued.append(job_id)
        for job_id in rescued:
            _enqueue_on_commit(job_id)
    if rescued:
        logger.info("requeued %d stale job(s)", len(rescued))
    return rescued
