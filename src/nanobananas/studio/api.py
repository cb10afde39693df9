"""Studio endpoints: conversations, messages, jobs (with live events) and asset bytes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from nanobananas.accounts.identity import (
    request_address_key,
    request_owner,
    request_owner_for_write,
    request_rate_limit,
)
from nanobananas.core.events import job_changes
from nanobananas.core.exceptions import NotFound
from nanobananas.core.pagination import BoundedLimitOffsetPagination
from nanobananas.core.streaming import aiter_file, releasing
from nanobananas.privacy.selectors import deleted_images_by_message
from nanobananas.studio import assets, conversations, downloads, selectors, services
from nanobananas.studio.jobs import job_retry
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.outputs import asset_from_token, asset_out, job_out, live_assets, message_out
from nanobananas.studio.ranges import range_response
from nanobananas.studio.requests import parse_message_request
from nanobananas.studio.schemas import (
    AssetOut,
    ConversationCreateIn,
    ConversationDetailOut,
    ConversationOut,
    DeletedImageOut,
    JobOut,
    MessageIn,
    MessageSentOut,
)

router = Router(tags=["studio"])

EVENT_KEEPALIVE_SECONDS = 15.0
EVENT_STREAM_MAX_SECONDS = 600.0


@router.post("/conversations", response={201: ConversationOut})
def create_conversation(request: HttpRequest, payload: ConversationCreateIn) -> Status[Conversation]:
    owner = request_owner_for_write(request)
    return Status(201, conversations.conversation_create(owner=owner, title=payload.title))


@router.get("/conversations", response=list[ConversationOut])
@paginate(BoundedLimitOffsetPagination)
def list_conversations(request: HttpRequest) -> Any:
    return selectors.conversation_list(owner=request_owner(request))


@router.get("/conversations/{conversation_id}", response=ConversationDetailOut)
def get_conversation(request: HttpRequest, conversation_id: uuid.UUID) -> ConversationDetailOut:
    conversation = selectors.conversation_get(owner=request_owner(request), conversation_id=conversation_id)
    messages = (
        Message.objects.filter(conversation=conversation, state=Lifecycle.ACTIVE)
        .select_related("conversation")
        .prefetch_related(live_assets())
        .order_by("created_at")
    )
    jobs = Job.objects.filter(conversation=conversation).order_by("number")
    images = list(Asset.objects.filter(conversation=conversation, state=Lifecycle.ACTIVE).order_by("kind", "number"))
    deleted = {
        message_id: [DeletedImageOut(**entry) for entry in entries]
        for message_id, entries in deleted_images_by_message(conversation_id=conversation.id).items()
    }
    return ConversationDetailOut(
        id=conversation.id,
        title=conversation.title,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        messages=[message_out(m, deleted.get(m.id)) for m in messages],
        versions=[asset_out(a) for a in images if a.kind == Asset.Kind.RESULT],
        uploads=[asset_out(a) for a in images if a.kind == Asset.Kind.UPLOAD],
        jobs=[job_out(j) for j in jobs],
    )


@router.delete("/conversations/{conversation_id}", response={204: None})
def delete_conversation(request: HttpRequest, conversation_id: uuid.UUID) -> Status[None]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No conversation with this id.")
    conversations.conversation_delete(owner=owner, conversation_id=conversation_id)
    return Status(204, None)


@router.get(
    "/conversations/{conversation_id}/download",
    response={200: None},
    # The int 200, as in `response=`: ninja merges the two; a "200" string would be a second "200" key.
    openapi_extra={
        "responses": {
            200: {
                "description": "A ZIP of every picture and version of the conversation, with a manifest.json.",
                "content": {"application/zip": {}},
            }
        }
    },
)
async def download_conversation(request: HttpRequest, conversation_id: uuid.UUID) -> StreamingHttpResponse:
    owner = await sync_to_async(request_owner)(request)
    conversation = await sync_to_async(selectors.conversation_get)(owner=owner, conversation_id=conversation_id)
    archive = await sync_to_async(downloads.conversation_archive)(conversation=conversation)
    response = StreamingHttpResponse(aiter_file(archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="nanobananas-{conversation.id}.zip"'
    return response


MESSAGE_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "description": "What to make or change; may be empty with files."},
                    "files[]": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "base_version": {"type": "integer", "minimum": 1, "description": "Edit this version."},
                    "mask": {
                        "type": "string",
                        "format": "binary",
                        "description": "A PNG the size of the picture edited: transparent where it may change, "
                        "opaque where it stays (goes with text, and with a picture or an earlier version).",
                    },
                },
            }
        },
        "application/json": {"schema": MessageIn.model_json_schema()},
    },
    "required": True,
}


@router.post(
    "/conversations/{conversation_id}/messages",
    response={202: MessageSentOut},
    openapi_extra={"requestBody": MESSAGE_BODY},
)
def send_message(request: HttpRequest, conversation_id: uuid.UUID) -> Status[MessageSentOut]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No conversation with this id.")
    request_rate_limit(request, scope="generate")
    turn = parse_message_request(request)
    message, job = services.message_send(
        owner=owner,
        conversation_id=conversation_id,
        text=turn.text,
        files=turn.files,
        base_version=turn.base_version,
        mask=turn.mask,
        address_key=request_address_key(request),
    )
    message = Message.objects.select_related("conversation").prefetch_related(live_assets()).get(id=message.id)
    return Status(202, MessageSentOut(message=message_out(message), job=job_out(job) if job else None))


@router.post("/jobs/{job_id}/retry", response={202: JobOut})
def retry_job(request: HttpRequest, job_id: uuid.UUID) -> Status[JobOut]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No job with this id.")
    return Status(202, job_out(job_retry(owner=owner, job_id=job_id)))


@router.get("/jobs/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: uuid.UUID) -> JobOut:
    return job_out(selectors.job_get(owner=request_owner(request), job_id=job_id))


# One event of the job's stream (the schema describes each event, as Open API 3.1 tools read it): its
# name is the job's status (`gone` when the job was deleted) and its data the job as JSON.
JOB_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": [*Job.Status.values, "gone"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "anyOf": [
                    JobOut.model_json_schema(),
                    {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
                ]
            },
        },
    },
}


@router.get(
    "/jobs/{job_id}/events",
    response={200: None},
    # The int 200, as in `response=`: ninja merges the two; a "200" string would be a second "200" key.
    openapi_extra={
        "responses": {
            200: {
                "description": "Server-Sent Events: `queued`/`running` while it works, then one of "
                "`done` (with the reply message), `failed` or `refused`; data is JSON.",
                "content": {"text/event-stream": {"schema": JOB_EVENT}},
            }
        }
    },
)
async def job_events(request: HttpRequest, job_id: uuid.UUID) -> StreamingHttpResponse:
    owner = await sync_to_async(request_owner)(request)
    job = await sync_to_async(selectors.job_get)(owner=owner, job_id=job_id)
    response = StreamingHttpResponse(_job_event_stream(job.id), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"
    return response


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _reply_payload(message_id: uuid.UUID) -> dict[str, Any]:
    message = Message.objects.select_related("conversation").prefetch_related(live_assets()).get(id=message_id)
    return message_out(message).model_dump(mode="json")


def _job_state(job_id: uuid.UUID) -> tuple[Job, dict[str, Any]] | None:
    """The job and its JSON, read in a thread: opening its sealed error message reads the owner's key."""
    job = Job.objects.select_related("conversation").filter(id=job_id).first()
    return None if job is None else (job, job_out(job).model_dump(mode="json"))


async def _job_event_stream(job_id: uuid.UUID) -> AsyncIterator[str]:
    """The job's state each time it changes: woken by the worker's notices through Redis when there is
    one (core/events.py), otherwise by reading the job every few tenths of a second."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    last_sent = started
    previous: dict[str, Any] | None = None
    yield "retry: 2000\n\n"
    async with job_changes(job_id) as next_change:
        while True:
            state = await sync_to_async(releasing(_job_state))(job_id)
            if state is None:
                yield _sse("gone", {"id": str(job_id)})
                return
            job, payload = state
            if payload != previous:
                previous = payload
                last_sent = loop.time()
                if job.status == Job.Status.DONE and job.result_id is not None:
                    payload["result"] = await sync_to_async(releasing(_reply_payload))(job.result_id)
                yield _sse(job.status, payload)
            if job.status in Job.TERMINAL:
                return
            now = loop.time()
            if now - started > EVENT_STREAM_MAX_SECONDS:
                return
            if now - last_sent > EVENT_KEEPALIVE_SECONDS:
                last_sent = now
                yield ": keep-alive\n\n"
            await next_change(EVENT_KEEPALIVE_SECONDS - (now - last_sent))


@router.get("/assets/{asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: uuid.UUID) -> AssetOut:
    return asset_out(selectors.asset_get(owner=request_owner(request), asset_id=asset_id))


@router.delete("/assets/{asset_id}", response={204: None})
def delete_asset(request: HttpRequest, asset_id: uuid.UUID) -> Status[None]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No image with this id.")
    assets.asset_delete(owner=owner, asset_id=asset_id)
    return Status(204, None)


@router.get(
    "/assets/{asset_id}/content",
    response={200: None},
    # The int 200, as in `response=`: ninja merges the two; a "200" string would be a second "200" key.
    openapi_extra={
        "responses": {
            200: {
                "description": "The image bytes: as stored (`format` omitted or `original`), or converted.",
                "content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}},
            }
        }
    },
)
async def get_asset_content(
    request: HttpRequest,
    asset_id: uuid.UUID,
    format: downloads.DownloadFormat = "original",
    token: str | None = None,
) -> StreamingHttpResponse:
    if token:
        asset = await sync_to_async(asset_from_token)(asset_id, token)
    else:
        owner = await sync_to_async(request_owner)(request)
        asset = await sync_to_async(selectors.asset_get)(owner=owner, asset_id=asset_id)
    # Browsers seek in a video with Range requests: 206 with the part asked for.
    if format == "original" and (part := await range_response(request, asset)) is not None:
        return part  # type: ignore[return-value]  # a 416 is a plain HttpResponse
    handle, content_type, extension = await sync_to_async(downloads.asset_content)(asset=asset, format=format)
    response = StreamingHttpResponse(aiter_file(handle), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{downloads.asset_filename(asset)}.{extension}"'
    if format == "original":
        response["Accept-Ranges"] = "bytes"
        response["Content-Length"] = str(asset.byte_size)
    return response
