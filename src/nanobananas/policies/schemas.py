"""API shapes for policies."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

__all__ = ["AcceptanceIn", "AcceptanceOut", "PolicyOut"]


class PolicyOut(Schema):
    kind: str
    version: str
    title: str
    published_at: datetime
    summary: str
    url: str


class AcceptanceIn(Schema):
    kind: str = Field(min_length=1, max_length=16)
    version: str = Field(min_length=1, max_length=40)


class AcceptanceOut(Schema):
    kind: str
    version: str
    at: datetime
    how: str
    is_current: bool
