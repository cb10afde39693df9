"""Writes for the studio: conversations, messages, and the lifecycle of generation jobs."""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.core.exceptions import InvalidInput
from nanobananas.privacy.retention import retention_deadline
from nanobananas.providers.base import ProviderError, ProviderRefused
from nanobananas.providers.handler import image_provider
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.selectors import conversation_get

__all__ = [
    "conversation_create",
    "job_progress",
    "job_run",
    "jobs_rescue_stale",
    "message_send",
]

logger = logging.getLogger(__name__)

TITLE_CHARS = 80


def _owner_fields(owner: Owner) -> dict[str, object]:
    return {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}


def _enqueue_on_commit(job_id: uuid.UUID) -> None:
    from nanobananas.studio.tasks import run_job

    transaction.on_commit(lambda: run_job(str(job_id)))


def conversation_create(*, owner: Owner, title: str = "") -> Conversation:
    title = title.strip()
    if len(title) > 200:
        raise InvalidInput("A title can be at most 200 characters.", code="title_too_long")
    return Conversation.objects.create(title=title, **_owner_fields(owner))


def message_send(*, owner: Owner, conversation_id: uuid.UUID, text: str) -> tuple[Message, Job]:
    """Store the user's turn and queue the job that answers it (enqueued once the rows are committed)."""
    text = text.strip()
    if not text:
        raise InvalidInput("Type what you would like to make.", code="empty_message")
    limit = settings.NANOBANANAS["MAX_PROMPT_CHARS"]
    if len(text) > limit:
        raise InvalidInput(f"A message can be at most {limit} characters.", code="message_too_long")
    with transaction.atomic():
        conversation = conversation_get(owner=owner, conversation_id=conversation_id)
        message = Message.objects.create(conversation=conversation, role=Message.Role.USER, text=text)
        job = Job.objects.create(
            conversation=conversation, request=message, queued_at=timezone.now(), stage="Waiting in line"
        )
        update: dict[str, object] = {"updated_at": timezone.now()}
        if not conversation.title:
            update["title"] = text[:TITLE_CHARS]
        Conversation.objects.filter(id=conversation.id).update(**update)
        _enqueue_on_commit(job.id)
    return message, job


def job_progress(*, job_id: uuid.UUID, percent: int, stage: str) -> None:
    """Record progress and prove the worker is alive (the heartbeat keeps the job from being rescued)."""
    Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(
        progress=max(0, min(100, percent)), stage=stage[:200], heartbeat_at=timezone.now()
    )


def _claim(job_id: uuid.UUID) -> bool:
    """Move a queued job to running; exactly one caller wins even when several try at once."""
    now = timezone.now()
    claimed = Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=5,
        stage="Starting",
    )
    return claimed == 1


def _finish(job_id: uuid.UUID, *, status: str, code: str = "", message: str = "") -> None:
    Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(
        status=status,
        error_code=code,
        error_message=message,
        stage={"failed": "Failed", "refused": "Could not do this"}.get(status, "Done"),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def job_run(*, job_id: uuid.UUID) -> None:
    """Run a job to the end. Safe to call twice: only a queued job is claimed, and a result is stored once."""
    if not _claim(job_id):
        return
    job = Job.objects.select_related("conversation", "request").get(id=job_id)
    provider = image_provider()
    Job.objects.filter(id=job_id).update(provider=provider.name)

    def progress(percent: int, stage: str) -> None:
        job_progress(job_id=job_id, percent=percent, stage=stage)

    try:
        generated = provider.generate(prompt=job.request.text, progress=progress)
    except ProviderRefused as exc:
        _finish(job_id, status=Job.Status.REFUSED, code="refused", message=str(exc))
        return
    except ProviderError as exc:
        logger.warning("job %s: provider %s failed: %s", job_id, provider.name, exc)
        _finish(job_id, status=Job.Status.FAILED, code="provider_error", message=str(exc))
        return
    except Exception:
        logger.exception("job %s: unexpected failure", job_id)
        _finish(
            job_id,
            status=Job.Status.FAILED,
            code="internal_error",
            message="Something went wrong while making the image. Please try again.",
        )
        return

    progress(90, "Saving the image")
    buffer = io.BytesIO()
    generated.image.save(buffer, format="PNG", optimize=False)
    data = buffer.getvalue()
    owner = _conversation_owner(job.conversation)
    # The blob name derives from the job, so a retried job overwrites its own bytes instead of
    # leaving a second copy behind.
    blob_name = f"assets/{owner.key}/{job.id}.png"
    if default_storage.exists(blob_name):
        default_storage.delete(blob_name)
    stored_name = default_storage.save(blob_name, ContentFile(data))

    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(id=job_id)
        if locked.status != Job.Status.RUNNING:
            default_storage.delete(stored_name)
            return
        reply = Message.objects.create(
            conversation=job.conversation, role=Message.Role.ASSISTANT, text="Here is your image."
        )
        Asset.objects.create(
            conversation=job.conversation,
            message=reply,
            job=locked,
            kind=Asset.Kind.RESULT,
            blob_name=stored_name,
            content_type="image/png",
            width=generated.image.width,
            height=generated.image.height,
            byte_size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            provider=generated.provider,
            model=generated.model,
            created_at=now,
            expires_at=retention_deadline(owner=owner, created_at=now),
            owner_user_id=owner.user_id,
            owner_guest_id=owner.guest_id,
        )
        Job.objects.filter(id=job_id).update(
            status=Job.Status.DONE, result=reply, progress=100, stage="Done", finished_at=now, heartbeat_at=now
        )
        Conversation.objects.filter(id=job.conversation_id).update(updated_at=now)


def _conversation_owner(conversation: Conversation) -> Owner:
    if conversation.owner_user_id is not None:
        return Owner(user_id=conversation.owner_user_id)
    return Owner(guest_id=conversation.owner_guest_id)


def jobs_rescue_stale(*, stale_after: timedelta | None = None) -> list[uuid.UUID]:
    """Requeue jobs whose worker died: running with a stale heartbeat, or queued and never picked up.

    Returns the ids it requeued; each is enqueued again once the change is committed.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.NANOBANANAS["WORKER_STALE_SECONDS"])
    cutoff = timezone.now() - stale_after
    rescued: list[uuid.UUID] = []
    with transaction.atomic():
        stale_running = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
        for job_id in list(stale_running.values_list("id", flat=True)):
            if Job.objects.filter(id=job_id, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
                status=Job.Status.QUEUED, stage="Waiting in line (retrying)", queued_at=timezone.now()
            ):
                rescued.append(job_id)
        forgotten = list(
            Job.objects.filter(status=Job.Status.QUEUED, queued_at__lt=cutoff).values_list("id", flat=True)
        )
        # Restart their clock so a merely busy queue is not flooded with duplicates every minute.
        Job.objects.filter(id__in=forgotten).update(queued_at=timezone.now())
        rescued.extend(forgotten)
        for job_id in rescued:
            _enqueue_on_commit(job_id)
    if rescued:
        logger.info("requeued %d stale job(s)", len(rescued))
    return rescued
