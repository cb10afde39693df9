"""The studio's part of the data export: each live conversation as JSON, with its pictures and videos."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from nanobananas.registry.personal_data import ExportFile
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message

__all__ = ["studio_export", "studio_export_count", "studio_recipients"]

EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "image/avif": "avif",
    "video/mp4": "mp4", "video/webm": "webm",
}  # fmt: skip


def _conversations(user_id: int) -> Any:
    return Conversation.objects.filter(owner_user_id=user_id, state=Lifecycle.ACTIVE).order_by("created_at")


def _assets(user_id: int) -> Any:
    return Asset.objects.filter(
        owner_user_id=user_id, state=Lifecycle.ACTIVE, conversation__in=_conversations(user_id).values("id")
    )


def studio_export_count(user_id: int) -> int:
    """Each image copied and each conversation written is a step of the build's progress."""
    return int(_conversations(user_id).count() + _assets(user_id).count())


def studio_recipients(user_id: int) -> set[str]:
    """Who made the person's images and answered their turns (provider aliases)."""
    jobs = Job.objects.filter(conversation__in=_conversations(user_id).values("id"), request__state=Lifecycle.ACTIVE)
    return {
        *_assets(user_id).exclude(provider="").values_list("provider", flat=True).distinct(),
        *jobs.exclude(provider="").values_list("provider", flat=True).distinct(),
    }


def studio_export(user_id: int) -> Iterator[ExportFile]:
    """conversations/<id>.json for each live conversation, after its images (images/<conversation id>/),
    one conversation at a time so that memory stays flat however many there are."""
    for conversation in _conversations(user_id).iterator():
        record, images = _conversation(conversation)
        for image in images:
            yield ExportFile(_image_path(image), blob_name=image.blob_name, stage="Copying your images")
        yield ExportFile(f"conversations/{conversation.id}.json", record, stage="Writing your conversations")


def _image_label(asset: Any) -> str:
    return {"result": "version", "video": "video"}.get(asset.kind, "picture") + f"-{asset.number}"


def _image_path(asset: Any) -> str:
    extension = EXTENSIONS.get(asset.content_type, "bin")
    return f"images/{asset.conversation_id}/{_image_label(asset)}.{extension}"


def _conversation(conversation: Any) -> tuple[dict[str, Any], list[Any]]:
    """One conversation's live turns and images as a record, and its live image rows (to copy)."""
    images = list(
        Asset.objects.filter(
            conversation=conversation, owner_user_id=conversation.owner_user_id, state=Lifecycle.ACTIVE
        ).order_by("kind", "number")
    )
    shown: dict[uuid.UUID, list[str]] = {}
    for image in images:
        shown.setdefault(image.message_id, []).append(str(image.id))
    jobs = {
        job.request_id: job for job in Job.objects.filter(conversation=conversation, request__state=Lifecycle.ACTIVE)
    }
    messages = Message.objects.filter(conversation=conversation, state=Lifecycle.ACTIVE).order_by("created_at", "id")
    record = {
        "id": conversation.id,
        "title": conversation.title,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "expires_at": conversation.expires_at,
        "turns": [
            {
                "id": message.id,
                "role": message.role,
                "text": message.text,
                "created_at": message.created_at,
                "expires_at": message.expires_at,
                "images": shown.get(message.id, []),
                "job": _job(jobs[message.id]) if message.id in jobs else None,
            }
            for message in messages.iterator()
        ],
        "images": [_image(image) for image in images],
    }
    return record, images


def _job(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "number": job.number,
        "status": job.status,
        "base_version": job.base_version,
        "options": job.options,
        "provider": job.provider,
        "error_code": job.error_code,
        "error_message": job.error_message,
        "reply_id": job.result_id,
        "queued_at": job.queued_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _image(asset: Any) -> dict[str, Any]:
    return {
        "id": asset.id,
        "kind": asset.kind,
        "number": asset.number,
        "label": f"Version {asset.number}" if asset.kind == "result" else f"Picture {asset.number}",
        "file": _image_path(asset),
        "operation": asset.operation,
        "parent_id": asset.parent_id,
        "inputs": asset.inputs,
        "message_id": asset.message_id,
        "job_id": asset.job_id,
        "plan": asset.plan,
        "steps": asset.steps,
        "duration_ms": asset.duration_ms,
        "provider": asset.provider,
        "model": asset.model,
        "original_name": asset.original_name,
        "content_type": asset.content_type,
        "width": asset.width,
        "height": asset.height,
        "byte_size": asset.byte_size,
        "sha256": asset.sha256,
        "created_at": asset.created_at,
        "expires_at": asset.expires_at,
    }
