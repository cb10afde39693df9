"""API shapes for tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

__all__ = ["TokenCreateIn", "TokenCreatedOut", "TokenOut"]


class TokenCreateIn(Schema):
    name: str = Field(max_length=100)
    scopes: list[str] = Field(default_factory=lambda: ["images:read", "images:write"])


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only now; store it like a password.")
