"""API shapes for the studio: one input and one output schema per endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

__all__ = [
    "AssetOut",
    "ConversationCreateIn",
    "ConversationDetailOut",
    "ConversationOut",
    "DeletedImageOut",
    "JobOut",
    "MessageIn",
    "MessageOut",
    "MessageSentOut",
]


class ConversationCreateIn(Schema):
    title: str = Field(default="", max_length=200)


class ConversationOut(Schema):
    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class AssetOut(Schema):
    id: uuid.UUID
    kind: str
    number: int
    label: str
    operation: str
    parent_id: uuid.UUID | None
    inputs: list[uuid.UUID]
    plan: dict[str, Any] | None
    steps: list[dict[str, Any]]
    duration_ms: int
    original_name: str
    content_type: str
    width: int
    height: int
    byte_size: int
    sha256: str
    provider: str
    model: str
    made_with: str = Field(description='Where it was made: "made on this server" or "made with <model>".')
    sent_to_provider: dict[str, Any] = Field(
        description="What left this server to make it (provider, model, prompt message id and SHA-256, "
        "input image ids); empty when it was made on this server."
    )
    created_at: datetime
    expires_at: datetime
    content_url: str


class DeletedImageOut(Schema):
    """An image that was here: shown as a placeholder, e.g. "image deleted on 3 May (retention)"."""

    kind: str
    number: int | None
    reason: str
    deleted_at: datetime


class MessageOut(Schema):
    id: uuid.UUID
    role: str
    text: str
    created_at: datetime
    expires_at: datetime
    assets: list[AssetOut]
    deleted_images: list[DeletedImageOut]


class JobOut(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID
    request_id: uuid.UUID
    result_id: uuid.UUID | None = Field(description="The reply message this job wrote, not an image (an old name).")
    reply_message_id: uuid.UUID | None = Field(
        description="The reply message this job wrote (the same id as result_id); its `assets` are the pictures."
    )
    status: str
    progress: int
    stage: str
    error_code: str
    error_message: str
    provider: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    events_url: str


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    versions: list[AssetOut]
    uploads: list[AssetOut]
    jobs: list[JobOut]


class MessageIn(Schema):
    """A JSON turn without pictures; send multipart/form-data (`text`, `files[]`) to attach pictures."""

    # The length limit is a setting, checked by the service with a clear message.
    text: str


class MessageSentOut(Schema):
    message: MessageOut
    job: JobOut | None
