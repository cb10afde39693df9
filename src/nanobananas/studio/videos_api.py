"""Video endpoints: make a video (a job), preview a motion's first second, cancel a job, list videos, posters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from nanobananas.accounts.identity import (
    Owner,
    owner_filter,
    request_owner,
    request_owner_for_write,
    request_rate_limit,
)
from nanobananas.core.exceptions import InvalidInput, NotFound
from nanobananas.providers.labels import made_with
from nanobananas.studio import selectors, videos
from nanobananas.studio.models import Asset, Lifecycle
from nanobananas.studio.outputs import asset_content_url, job_out
from nanobananas.studio.schemas import JobOut

__all__ = ["router"]

router = Router(tags=["videos"])

MAX_LISTED = 100


class VideoIn(Schema):
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="The pictures, in order.")
    motion: str | None = Field(default=None, description="zoom_in, zoom_out, pan, parallax, poster, slideshow or wipe.")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="The motion's options: seconds (2-15), width, height (even) or size (720p, 1080p, square, "
        "vertical), fps (24, 30), format (mp4, gif, webp), direction, transition, captions, focus.",
    )
    prompt: str = Field(default="", max_length=2000, description="A request in words, planned when no motion.")
    generative: bool = Field(default=False, description="Make it from the prompt with the generative video model.")
    conversation_id: uuid.UUID | None = Field(default=None, description="Add it to this conversation.")


class PreviewIn(Schema):
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    motion: str
    parameters: dict[str, Any] = Field(default_factory=dict)


class VideoJobOut(Schema):
    conversation_id: uuid.UUID
    job: JobOut


class VideoOut(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID
    number: int
    label: str
    content_type: str
    width: int
    height: int
    fps: int
    seconds: float
    byte_size: int
    provider: str
    model: str
    made_with: str
    operation: str
    inputs: list[uuid.UUID]
    created_at: datetime
    expires_at: datetime
    content_url: str
    poster_url: str


def video_out(asset: Asset) -> VideoOut:
    content = asset_content_url(asset)
    return VideoOut(
        id=asset.id,
        conversation_id=asset.conversation_id,
        number=asset.number,
        label=f"Video {asset.number}",
        content_type=asset.content_type,
        width=asset.width,
        height=asset.height,
        fps=asset.fps,
        seconds=asset.length_ms / 1000,
        byte_size=asset.byte_size,
        provider=asset.provider,
        model=asset.model,
        made_with=made_with(asset.provider, asset.model),
        operation=asset.operation,
        inputs=[uuid.UUID(str(i)) for i in asset.inputs],
        created_at=asset.created_at,
        expires_at=asset.expires_at,
        content_url=content,
        poster_url=f"/api/v1/videos/{asset.id}/poster",
    )


def _owner(request: HttpRequest, what: str) -> Owner:
    owner = request_owner(request)
    if owner is None:
        raise NotFound(f"No {what} with this id.")
    return owner


@router.post("/videos", response={202: VideoJobOut})
def create_video(request: HttpRequest, payload: VideoIn) -> Status[VideoJobOut]:
    """Queue a video: `asset_ids` with a `motion` (and `parameters`), or a `prompt` planned into one (or made
    by the generative video model when it asks for something no motion makes). Returns the job (202)."""
    owner = request_owner_for_write(request)
    request_rate_limit(request, scope="generate")
    spec = None
    # Parameters shape a chosen motion or a generative clip; a prompt alone is planned (its own spec).
    if payload.motion is not None or (payload.parameters and (payload.generative or not payload.prompt)):
        spec = videos.video_spec_parse(motion=payload.motion, parameters=payload.parameters)
    job = videos.video_create(
        owner=owner,
        conversation_id=payload.conversation_id,
        asset_ids=payload.asset_ids,
        spec=spec,
        prompt=payload.prompt,
        generative=payload.generative,
        address_key=None,
    )
    return Status(202, VideoJobOut(conversation_id=job.conversation_id, job=job_out(job)))


@router.post(
    "/videos/preview",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {"description": "The motion's first second, at most 480 px wide.", "content": {"video/mp4": {}}}
        }
    },
)
def preview_video(request: HttpRequest, payload: PreviewIn) -> HttpResponse:
    """A live preview: the first second of the motion on these pictures, small, as an MP4. Nothing is stored."""
    owner = _owner(request, "image")
    spec = videos.video_spec_parse(motion=payload.motion, parameters=payload.parameters)
    data = videos.video_preview(owner=owner, asset_ids=payload.asset_ids, spec=spec)
    response = HttpResponse(data, content_type="video/mp4")
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/videos", response=list[VideoOut])
def list_videos(request: HttpRequest, limit: int = 50) -> list[VideoOut]:
    """The caller's live videos, newest first."""
    if not 1 <= limit <= MAX_LISTED:
        raise InvalidInput(f"limit: between 1 and {MAX_LISTED}.")
    owner = request_owner(request)
    if owner is None:
        return []
    rows = Asset.objects.filter(
        owner_filter(owner), kind=Asset.Kind.VIDEO, state=Lifecycle.ACTIVE, conversation__state=Lifecycle.ACTIVE
    ).order_by("-created_at")[:limit]
    return [video_out(asset) for asset in rows]


def _video_get(owner: Owner | None, asset_id: uuid.UUID) -> Asset:
    asset = selectors.asset_get(owner=owner, asset_id=asset_id)
    if asset.kind != Asset.Kind.VIDEO:
        raise NotFound("No video with this id.")
    return asset


@router.get("/videos/{asset_id}", response=VideoOut)
def get_video(request: HttpRequest, asset_id: uuid.UUID) -> VideoOut:
    return video_out(_video_get(request_owner(request), asset_id))


@router.get(
    "/videos/{asset_id}/poster",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "The first frame.", "content": {"image/jpeg": {}}}}},
)
def get_video_poster(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = _video_get(request_owner(request), asset_id)
    response = HttpResponse(videos.video_poster(asset=asset), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post("/jobs/{job_id}/cancel", response={200: JobOut})
def cancel_job(request: HttpRequest, job_id: uuid.UUID) -> Status[JobOut]:
    """Stop a waiting or running job (a render stops within a frame or two); it ends `failed` with code
    `cancelled` and makes nothing. A finished job is a 409."""
    return Status(200, job_out(videos.job_cancel(owner=_owner(request, "job"), job_id=job_id)))
