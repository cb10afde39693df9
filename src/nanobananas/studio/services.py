"""Writes for the studio's turns: a message with its uploads, checked before anything is stored, and the job that
answers it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.pixelbudget import pixel_budget_spend, request_pixels_check
from nanobananas.accounts.selectors import plan_for
from nanobananas.accounts.services import quota_consume
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import InvalidInput
from nanobananas.core.text import clean_text
from nanobananas.privacy.retention import retention_deadline, text_deadline
from nanobananas.registry.screening import content_screen
from nanobananas.studio.blobs import blob_write
from nanobananas.studio.conversations import asset_number_next, message_create
from nanobananas.studio.jobs import job_queue_on_commit
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.owners import actor_of, owner_fields
from nanobananas.studio.selectors import conversation_get
from nanobananas.studio.videos import chat_video_options
from nanobananas.vault.fields import sealed_token

__all__ = [
    "IncomingFile",
    "message_send",
]

TITLE_CHARS = 80
MAX_FILES_PER_MESSAGE = 10


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
            message = message_create(conversation, Message.Role.USER, text, expires_at=text_expiry)
            first_upload = asset_number_next(conversation, Asset.Kind.UPLOAD)
            upload_ids: list[uuid.UUID] = []
            for offset, upload in enumerate(prepared):
                is_mask = mask is not None and offset == len(prepared) - 1
                asset_id = uuid.uuid4()
                upload_ids.append(asset_id)
                blob = blob_write(f"uploads/{owner.key}/{asset_id}.{upload.extension}", upload.data)
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
                    **owner_fields(owner),
                )
                stored.original_name = upload.original_name
                stored.save(force_insert=True)
            if text and not options and not refusal:
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
                    actor=actor_of(owner),
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
                    job_queue_on_commit(job.id)
            else:
                numbers = ", ".join(str(first_upload + i) for i in range(len(prepared)))
                label = "picture" if len(prepared) == 1 else "pictures"
                reply = f"Got your {label} ({label} {numbers}). What would you like me to do?"
                message_create(conversation, Message.Role.ASSISTANT, reply, expires_at=text_expiry)
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
