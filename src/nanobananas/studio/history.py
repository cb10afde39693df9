"""History: every image, upload and video an owner still has, newest first, filtered and searched by prompt text.

Prompts and titles are sealed with the owner's data key, so the database cannot search them. The search
opens the owner's own rows on read, in chunks of `SCAN_CHUNK` (one query each, one key unwrap per request),
and matches in Python: case and accents are ignored ("CAFE" finds "café"). The scope is one owner's live
items, which retention keeps small (at most 7 days of images), so a search reads a bounded number of rows;
`SCAN_LIMIT` caps one call anyway and hands back a cursor to go on from. Pages are keyset pages on
(created_at, id), so new items never shift or repeat what a client has already seen.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.core.exceptions import InvalidInput
from nanobananas.studio.models import Asset, Lifecycle
from nanobananas.studio.sealing import key_memo, unseal

__all__ = ["HISTORY_KINDS", "MAX_LIMIT", "HistoryItem", "HistoryPage", "history_search"]

HISTORY_KINDS = ("upload", "result", "video")
MAX_LIMIT = 100
MAX_QUERY_CHARS = 200
SCAN_CHUNK = 200
SCAN_LIMIT = 5000
SNIPPET_CHARS = 160

_FIELDS = (
    "id", "kind", "number", "operation", "created_at", "expires_at", "provider", "model", "content_type",
    "width", "height", "length_ms", "fps", "owner_user_id", "owner_guest_id", "conversation_id",
    "conversation__sealed_title",
    "message_id", "message__role", "message__state", "message__sealed_text",
    "job__request_id", "job__request__state", "job__request__sealed_text",
    "message__produced_by__request_id", "message__produced_by__request__state",
    "message__produced_by__request__sealed_text",
)  # fmt: skip


@dataclass(frozen=True)
class HistoryItem:
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
    prompt: str
    content_type: str
    width: int
    height: int
    # A video's running time and frame rate (0 for pictures).
    length_ms: int
    fps: int
    owner_key: str


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    next_cursor: str | None
    scanned: int


def fold(text: str) -> str:
    """Text as the search compares it: accents dropped, case folded, runs of spaces made one."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _parse_moment(value: str | None, *, name: str, end_of_day: bool) -> datetime | None:
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        # A bare date first: parse_datetime would read "2026-11-30" as its midnight.
        day = parse_date(raw)
        moment = None if day is not None else parse_datetime(raw)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise InvalidInput(f"{name}: use a date like 2026-11-30 or a time like 2026-11-30T14:00:00Z.")
    if moment is None:
        assert isinstance(day, date)
        # A bare date means the whole day: `since` from its start, `until` through its end.
        moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cursor_encode(created_at: datetime, asset_id: uuid.UUID) -> str:
    raw = f"{created_at.astimezone(UTC).isoformat()}|{asset_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, id_text = raw.split("|")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError("naive time")
        return at, uuid.UUID(id_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("cursor: not a cursor this API returned; start again without it.") from None


def _snippet(prompt: str, needle: str) -> str:
    text = " ".join(prompt.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    start = 0
    if needle:
        folded = fold(text)
        # fold() keeps one character per character of a one-line NFC text, so the index carries over.
        at = folded.find(needle) if len(folded) == len(text) else -1
        start = max(0, at - SNIPPET_CHARS // 3) if at >= 0 else 0
    piece = text[start : start + SNIPPET_CHARS].strip()
    return ("…" if start > 0 else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def _prompt(row: dict[str, Any], owner_key: str) -> str:
    """The words that made the item: the request of the job for a result (also for a job's further outputs,
    which belong to its reply message), the message carrying an upload."""
    if row["job__request_id"] is not None:
        if row["job__request__state"] != Lifecycle.ACTIVE:
            return ""
        return unseal(
            row["job__request__sealed_text"], owner_key=owner_key, context=f"message:{row['job__request_id']}"
        )
    if row["message__produced_by__request_id"] is not None:
        # A further output of a job (an AI tool's print sheet, a social format): the words of the job's request.
        if row["message__produced_by__request__state"] != Lifecycle.ACTIVE:
            return ""
        request_id = row["message__produced_by__request_id"]
        return unseal(
            row["message__produced_by__request__sealed_text"], owner_key=owner_key, context=f"message:{request_id}"
        )
    if row["message__role"] == "user" and row["message__state"] == Lifecycle.ACTIVE:
        return unseal(row["message__sealed_text"], owner_key=owner_key, context=f"message:{row['message_id']}")
    return ""


def _rows(base: Any, after: tuple[datetime, uuid.UUID] | None) -> Iterator[dict[str, Any]]:
    while True:
        chunk = base
        if after is not None:
            chunk = chunk.filter(Q(created_at__lt=after[0]) | Q(created_at=after[0], id__lt=after[1]))
        rows = list(chunk[:SCAN_CHUNK])
        yield from rows
        if len(rows) < SCAN_CHUNK:
            return
        after = (rows[-1]["created_at"], rows[-1]["id"])


def history_search(
    *,
    owner: Owner | None,
    q: str = "",
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> HistoryPage:
    """One page of `owner`'s live images, uploads and videos, newest first. Someone else's items, and items queued
    for deletion (or in a deleted conversation), never appear. Bad input raises InvalidInput."""
    if kind is not None and kind != "" and kind not in HISTORY_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(HISTORY_KINDS)}.")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}.")
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"q: at most {MAX_QUERY_CHARS} characters.")
    start = _parse_moment(since, name="since", end_of_day=False)
    end = _parse_moment(until, name="until", end_of_day=True)
    if start is not None and end is not None and start >= end:
        raise InvalidInput("since must be before until.")
    after = cursor_decode(cursor) if cursor else None
    if owner is None:
        return HistoryPage(items=[], next_cursor=None, scanned=0)

    base = Asset.objects.filter(owner_filter(owner), state=Lifecycle.ACTIVE, conversation__state=Lifecycle.ACTIVE)
    # A painted area says where to change a picture; it is not a photo the person has.
    base = base.exclude(operation=Asset.Operation.MASK)
    if kind:
        base = base.filter(kind=kind)
    if start is not None:
        base = base.filter(created_at__gte=start)
    if end is not None:
        base = base.filter(created_at__lt=end)
    base = base.order_by("-created_at", "-id").values(*_FIELDS)

    needle = fold(q)
    items: list[HistoryItem] = []
    scanned = 0
    last: tuple[datetime, uuid.UUID] | None = None
    with key_memo():
        for row in _rows(base, after):
            scanned += 1
            last = (row["created_at"], row["id"])
            prompt = _prompt(row, owner.key)
            title = unseal(
                row["conversation__sealed_title"], owner_key=owner.key, context=f"conversation:{row['conversation_id']}"
            )
            if needle and needle not in fold(prompt) and needle not in fold(title):
                if scanned >= SCAN_LIMIT:
                    return HistoryPage(items=items, next_cursor=cursor_encode(*last), scanned=scanned)
                continue
            if len(items) == limit:
                # One more match exists: the page ends at the last item returned.
                final = items[-1]
                return HistoryPage(
                    items=items, next_cursor=cursor_encode(final.created_at, final.asset_id), scanned=scanned
                )
            items.append(
                HistoryItem(
                    asset_id=row["id"],
                    conversation_id=row["conversation_id"],
                    conversation_title=title,
                    kind=row["kind"],
                    version=row["number"],
                    operation=row["operation"],
                    created_at=row["created_at"],
                    expires_at=row["expires_at"],
                    provider=row["provider"],
                    model=row["model"],
                    prompt=_snippet(prompt, needle),
                    content_type=row["content_type"],
                    width=row["width"],
                    height=row["height"],
                    length_ms=row["length_ms"],
                    fps=row["fps"],
                    owner_key=owner.key,
                )
            )
            if scanned >= SCAN_LIMIT:
                return HistoryPage(items=items, next_cursor=cursor_encode(*last), scanned=scanned)
    return HistoryPage(items=items, next_cursor=None, scanned=scanned)
