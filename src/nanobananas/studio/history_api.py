"""GET /api/v1/history: the caller's images, uploads and videos, filtered and searched by prompt text."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from nanobananas.accounts.identity import Owner, request_owner
from nanobananas.privacy.selectors import commercial_image_ids
from nanobananas.providers.labels import made_with
from nanobananas.studio.history import MAX_LIMIT, HistoryItem, history_search
from nanobananas.studio.models import Asset
from nanobananas.studio.outputs import asset_content_url

__all__ = ["router"]

router = Router(tags=["studio"])


class HistoryQuery(Schema):
    q: str = ""
    kind: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = None


class HistoryItemOut(Schema):
    asset_id: uuid.UUID
    conversation_id: uuid.UUID
    conversation_title: str
    kind: str
    version: int
    operation: str
    created_at: datetime
    expires_at: datetime
    provider: str
    model: str
    made_with: str
    commercial: bool = Field(description="Marked for commercial use (kept out of AI training without consent).")
    prompt: str
    content_type: str = Field(description="image/png, image/jpeg, video/mp4, image/gif, ...")
    width: int
    height: int
    seconds: float = Field(description="A video's running time (0 for pictures).")
    fps: int = Field(description="A video's frame rate (0 for pictures).")
    content_url: str
    poster_url: str | None = Field(description="An MP4's poster frame (JPEG); null for pictures and GIF/WebP loops.")


class HistoryOut(Schema):
    items: list[HistoryItemOut]
    next_cursor: str | None


def _item_out(item: HistoryItem, owner: Owner, commercial: set[uuid.UUID]) -> HistoryItemOut:
    # Only the ids the signed link is made of; nothing is read from the database here.
    link_for = Asset(id=item.asset_id, owner_user_id=owner.user_id, owner_guest_id=owner.guest_id)
    return HistoryItemOut(
        asset_id=item.asset_id,
        conversation_id=item.conversation_id,
        conversation_title=item.conversation_title,
        kind=item.kind,
        version=item.version,
        operation=item.operation,
        created_at=item.created_at,
        expires_at=item.expires_at,
        provider=item.provider,
        model=item.model,
        made_with=made_with(item.provider, item.model) if item.provider else "uploaded by you",
        commercial=item.asset_id in commercial,
        prompt=item.prompt,
        content_type=item.content_type,
        width=item.width,
        height=item.height,
        seconds=item.length_ms / 1000,
        fps=item.fps,
        content_url=asset_content_url(link_for),
        poster_url=f"/api/v1/videos/{item.asset_id}/poster" if item.content_type.startswith("video/") else None,
    )


@router.get("/history", response=HistoryOut)
def history(request: HttpRequest, filters: Query[HistoryQuery]) -> HistoryOut:
    """Newest first; `q` matches the prompt (or the chat's title) ignoring case and accents; `kind` is
    `upload`, `result` or `video`; `since`/`until` take a date or an ISO time (a bare `until` date includes that
    day); pass `next_cursor` back as `cursor` for the next page."""
    owner = request_owner(request)
    page = history_search(
        owner=owner,
        q=filters.q,
        kind=filters.kind,
        since=filters.since,
        until=filters.until,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    assert owner is not None or not page.items
    if owner is None:
        return HistoryOut(items=[], next_cursor=page.next_cursor)
    commercial = set(commercial_image_ids(owner=owner)) if page.items else set()
    return HistoryOut(
        items=[_item_out(item, owner, commercial) for item in page.items],
        next_cursor=page.next_cursor,
    )
