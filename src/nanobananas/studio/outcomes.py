"""What a job made and how it is kept: the outcome types that chat turns, AI tools and videos return, what left the
server to make it, and storing it as a reply with its versions (screened, within the plan, once per job)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.selectors import plan_for
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.privacy.retention import retention_deadline, text_deadline
from nanobananas.providers.base import (
    GeneratedImage,
)
from nanobananas.registry.screening import content_screen
from nanobananas.studio.blobs import blob_write, blobs_delete_on_commit
from nanobananas.studio.conversations import asset_number_next, message_create
from nanobananas.studio.jobs import job_finish, job_holds, job_progress, next_job_queue
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.owners import owner_fields, owner_of

__all__ = [
    "Outcome",
    "OutcomeFile",
    "outcome_store",
    "sent_details",
]

logger = logging.getLogger(__name__)


@dataclass
class OutcomeFile:
    """A further picture one job made besides its main one (an AI tool's outputs: an ID photo's print sheet,
    one picture per social format). Stored as a version of its own, linked to the reply message."""

    image: Image.Image
    steps: list[dict[str, Any]] = field(default_factory=list)
    # Already-encoded bytes when the encoding is the result (a compressor's JPEG at its target size).
    data: bytes | None = None
    content_type: str = "image/png"


@dataclass
class Outcome:
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
    more: list[OutcomeFile] = field(default_factory=list)


def sent_details(made: GeneratedImage, job: Job, inputs: list[uuid.UUID]) -> dict[str, Any]:
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


def outcome_store(job: Job, outcome: Outcome, *, duration_ms: int) -> None:
    """Store what run `job.attempts` made, unless the job is no longer that run's (then nothing at all)."""
    attempt = job.attempts
    if not job_holds(job.id, attempt):
        logger.warning("job %s: attempt %d lost its lease; its result is dropped", job.id, attempt)
        return
    owner = owner_of(job.conversation)
    stored_name = ""
    data = b""
    content_type = "image/png"
    screened = None
    extras: list[tuple[OutcomeFile, str, bytes, str, Any]] = []
    if outcome.image is not None:
        job_progress(job_id=job.id, percent=90, stage="Saving the image", attempt=attempt)
        longest = plan_for(owner=owner).max_resolution
        if max(outcome.image.size) > longest:
            outcome.image, outcome.data = _within_plan(outcome.image, longest), None
        screened = content_screen().result(owner=owner, job_id=job.id, image=outcome.image)
        if screened.blocked:
            job_finish(job.id, attempt=attempt, status=Job.Status.REFUSED, code="content_blocked",
                    message=screened.message, review=screened.audit_details())  # fmt: skip
            return
        data, content_type = _encoded(outcome.image, outcome.data, outcome.content_type)
        # One name per attempt: a run that lost the job can never overwrite or delete the bytes of the
        # run that replaced it. The winner removes what earlier attempts of its job may have left.
        stored_name = blob_write(_result_blob_name(owner, job.id, attempt, 0, _STORED_TYPES[content_type]), data)
        for index, more in enumerate(outcome.more, start=1):
            if max(more.image.size) > longest:
                more.image, more.data = _within_plan(more.image, longest), None
            more_screened = content_screen().result(owner=owner, job_id=job.id, image=more.image)
            if more_screened.blocked:
                for name in [stored_name, *(extra[1] for extra in extras)]:
                    default_storage.delete(name)
                job_finish(job.id, attempt=attempt, status=Job.Status.REFUSED, code="content_blocked",
                        message=more_screened.message, review=more_screened.audit_details())  # fmt: skip
                return
            more_data, more_type = _encoded(more.image, more.data, more.content_type)
            name = _result_blob_name(owner, job.id, attempt, index, _STORED_TYPES[more_type])
            extras.append((more, blob_write(name, more_data), more_data, more_type, more_screened))

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
            blobs_delete_on_commit(
                [_result_blob_name(owner, job.id, earlier, i, ext) for earlier in range(1, attempt) for i, ext in kinds]
            )
        conversation = Conversation.objects.select_for_update().get(id=job.conversation_id)
        number = asset_number_next(conversation, Asset.Kind.RESULT)
        reply_text = outcome.reply
        if outcome.image is not None:
            reply_text = f"{outcome.reply} (version {number})"
            if extras:
                reply_text = f"{outcome.reply} (versions {number} to {number + len(extras)})"
        reply = message_create(
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
                **owner_fields(owner),
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
                    expires_at=retention_deadline(owner=owner, created_at=now), **owner_fields(owner),
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
        next_job_queue(conversation.id)
