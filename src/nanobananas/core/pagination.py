"""Limit/offset pagination with bounds, so a huge `limit` or `offset` is a 4xx and never reaches the database."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "BoundedLimitOffsetPagination"]

MAX_LIMIT = 100
# Far beyond any real list, and well inside the 64-bit integers SQLite and PostgreSQL take in LIMIT/OFFSET
# (ninja's own paginator passes any integer through: 2**63 ended in a database error, a 500).
MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
