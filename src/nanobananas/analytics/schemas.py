"""Schemas of the analytics API: feedback on a result, bug reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Field, Schema

__all__ = ["BugReportIn", "BugReportOut", "FeedbackIn", "FeedbackOut"]


class FeedbackIn(Schema):
    rating: str = Field(description="up or down")
    reason: str = Field(default="", description="not_followed, low_quality, wrong_text, other, or empty")


class FeedbackOut(Schema):
    asset_id: uuid.UUID
    rating: str
    reason: str


class BugReportIn(Schema):
    text: str = Field(min_length=1, max_length=4000)
    page: str = Field(default="", max_length=200)
    conversation_id: uuid.UUID | None = None
    share_conversation: bool = False


class BugReportOut(Schema):
    id: uuid.UUID
    page: str
    conversation_id: uuid.UUID | None
    shared_until: datetime | None
    created_at: datetime
