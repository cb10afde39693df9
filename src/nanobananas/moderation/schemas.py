"""API shapes for user reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

__all__ = ["ReportIn", "ReportOut"]


class ReportIn(Schema):
    asset_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=4000)


class ReportOut(Schema):
    id: uuid.UUID
    asset_id: uuid.UUID
    status: str
    created_at: datetime
